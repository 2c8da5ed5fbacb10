//! `tap` for the seed's app: the whole command line is the engine's.

fn main() -> std::process::ExitCode {
    tap_app::main(tap_seed::app)
}
