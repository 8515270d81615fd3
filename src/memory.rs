//! Keeping the server's memory flat.

/// glibc gives every thread that allocates its own malloc arena (up to eight per core) and
/// seldom returns their memory: with the request workers, the blocking pool's threads and
/// the background jobs each holding one, the resident size grows with the number of threads
/// that ever ran, not with the work. Two arenas are plenty for a two-core server and keep
/// it flat. Called first thing in `main`, before any thread starts.
pub fn few_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts the allocator's parameters; called before other threads.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
