//! An app: the stacks tap synthesises and deploys, in the order they were
//! added, and what the CLI needs to know about them. A program builds one and
//! hands it to [`main`]: every verb of the `tap` command line then works on it.

use crate::cli::{run, Cli};
use crate::deploy::ui::Ui;
use crate::source::SourceTarget;
use crate::Error;
use clap::Parser;
use std::process::ExitCode;
use tap_core::Stack;

/// The stacks of an app, and how the CLI reaches its pipeline.
#[derive(Debug, Clone, Default)]
pub struct App {
    pub(crate) stacks: Vec<Stack>,
    pub(crate) stack_sets: Vec<crate::StackSet>,
    pub(crate) source: Option<SourceTarget>,
    pub(crate) qualifier: Option<String>,
}

impl App {
    pub fn new() -> App {
        App::default()
    }

    /// Adds a stack (a `stack!` stack's value, or a [`Stack`]). Stacks that
    /// import another's references are deployed after it whatever the order.
    pub fn stack(mut self, stack: impl Into<Stack>) -> App {
        self.stacks.push(stack.into());
        self
    }

    /// Adds a stack deployed through CloudFormation StackSets to many
    /// accounts (or an organization's units) and regions at once: `tap deploy`
    /// creates or updates the StackSet and its instances after the app's
    /// stacks, from the command line's account (the StackSet administrator).
    pub fn stack_set(mut self, set: crate::StackSet) -> App {
        self.stack_sets.push(set);
        self
    }

    /// Where `tap source push` uploads the repository's committed tree: the
    /// bucket named by `stack`'s output `bucket_output`, under `key`, which
    /// `pipeline` watches.
    pub fn source(mut self, target: SourceTarget) -> App {
        self.source = Some(target);
        self
    }

    /// The toolkit qualifier this app deploys with (`tap bootstrap
    /// --qualifier`): its toolkit stack, asset bucket and roles are named with
    /// it, so that two apps in one account keep theirs apart. `--qualifier`
    /// on the command line overrides it.
    pub fn qualifier(mut self, qualifier: impl Into<String>) -> App {
        self.qualifier = Some(qualifier.into());
        self
    }

    pub fn stacks(&self) -> &[Stack] {
        &self.stacks
    }

    pub fn stack_sets(&self) -> &[crate::StackSet] {
        &self.stack_sets
    }
}

/// The `tap` command line for `app`: parses the arguments, runs the verb, and
/// reports an error on stderr with a non-zero exit. `app` is called once, after
/// the arguments are read (so `--help` needs no app).
pub fn main(app: impl FnOnce() -> Result<App, Error>) -> ExitCode {
    let cli = Cli::parse();
    let app = match app() {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, &app, &Ui::terminal())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
