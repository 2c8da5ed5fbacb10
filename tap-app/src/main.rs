//! `tap`: synthesise the application's stacks.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tap_app::{stacks, synth};

#[derive(Parser)]
#[command(
    name = "tap",
    version,
    about = "Infrastructure as code for AWS, checked by the compiler"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write each stack's CloudFormation template and a manifest.
    Synth {
        /// Output directory.
        #[arg(long, short, default_value = "tap.out")]
        out: PathBuf,
    },
    /// List the stacks and what each depends on.
    List,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let app = stacks::app()?;
    let synthesized = synth::synth_all(&app)?;
    match cli.command {
        Command::Synth { out } => {
            synth::write(&out, &synthesized)?;
            for s in &synthesized {
                println!(
                    "{}: {} resources, {} outputs -> {}",
                    s.name,
                    s.template.resources.len(),
                    s.template.outputs.len(),
                    out.join(format!("{}.template.json", s.name)).display()
                );
            }
            println!("manifest -> {}", out.join("manifest.json").display());
        }
        Command::List => {
            for s in &synthesized {
                if s.dependencies.is_empty() {
                    println!("{}", s.name);
                } else {
                    println!("{} (depends on {})", s.name, s.dependencies.join(", "));
                }
            }
        }
    }
    Ok(())
}
