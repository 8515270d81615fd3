fn main() -> std::process::ExitCode {
    zhenggai::cli::main()
}
