fn main() -> std::process::ExitCode {
    zhenggai::memory::few_arenas();
    zhenggai::cli::main()
}
