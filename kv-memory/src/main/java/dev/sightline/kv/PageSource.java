package dev.sightline.kv;

/** Where a session's tiers get pages from and give them back to, so the session can count every byte. */
interface PageSource {

    KvPool.Page takePage();

    void givePage(KvPool.Page page);

    int pageBytes();
}
