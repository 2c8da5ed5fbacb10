//! `orders`: the engine's command line for the orders service.

fn main() -> std::process::ExitCode {
    tap_app::main(tap_example_orders::app)
}
