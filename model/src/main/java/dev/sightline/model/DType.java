package dev.sightline.model;

/** Element types a safetensors file may hold that the engine reads. */
public enum DType {
    F32(4), F16(2), BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The type named by a safetensors header, or a clear error for one the engine cannot read. */
    static DType fromHeader(String name, String tensor, String file) {
        return switch (name) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            default -> throw new ModelFormatException("tensor '" + tensor + "' in " + file + " has dtype " + name
                    + "; supported dtypes are F32, F16 and BF16");
        };
    }
}
