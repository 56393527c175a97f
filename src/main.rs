fn main() {
    std::process::exit(xform::cli::main());
}
