//! The `tap` command line: the verbs and flags of the AWS CDK's `cdk`.

use crate::assets::Packager;
use crate::deploy::approval::RequireApproval;
use crate::deploy::aws::{Aws, Target};
use crate::deploy::toolkit::ExecRole;
use crate::deploy::ui::Ui;
use crate::deploy::{self, DeployOptions, Method, Session};
use crate::local::LocalDir;
use crate::synth::{self, Synthesized};
use crate::{tap_dir, App, Error};
use anyhow::{anyhow, bail, Result};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "tap",
    version,
    about = "Infrastructure as code for AWS, checked by the compiler"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Show the AWS SDK's whole error chain with every AWS error.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// tap's working directory (packages, build output, tools, the local
    /// emulator) [default: .tap in the project around the current directory]
    #[arg(long, global = true, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

/// Where commands that talk to AWS go.
#[derive(Args, Debug, Clone, Default)]
pub struct TargetArgs {
    /// Use this profile from the shared AWS config and credentials files.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// The AWS region (otherwise from AWS_REGION or the profile).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Deploy to a local AWS emulator (LocalStack on 127.0.0.1, installed and
    /// started on first use) instead of AWS: no account needed.
    #[arg(long, global = true)]
    pub local: bool,
    /// The toolkit qualifier (as `cdk bootstrap --qualifier`): the toolkit
    /// stack, asset bucket and execution role are named with it, so apps in
    /// one account keep theirs apart [default: the app's, or none]
    #[arg(long, global = true, value_parser = parse_qualifier)]
    pub qualifier: Option<String>,
}

/// A qualifier goes into bucket, role and stack names: lower-case letters and
/// digits, as the CDK's.
fn parse_qualifier(q: &str) -> Result<String, String> {
    if (1..=10).contains(&q.len())
        && q.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        Ok(q.to_string())
    } else {
        Err("1 to 10 lower-case letters and digits (it names the asset bucket and the execution role)".into())
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write each stack's CloudFormation template and a manifest.
    Synth {
        /// Output directory.
        #[arg(long, short, default_value = "tap.out")]
        out: PathBuf,
    },
    /// List the stacks and what each depends on.
    List,
    /// Show the code a function's contract is checked against: the crates
    /// tap reads (its own and the local crates it depends on), and those it
    /// does not (the AWS SDK, proc macros, registry crates: one that depends
    /// on an AWS SDK crate needs a `uses` block in the contract).
    Contract {
        /// The function, as its stack names it (`tap_lambda`).
        function: String,
    },
    /// Show what deploying would change, against what is deployed.
    Diff(Select),
    /// Deploy stacks (with the stacks they depend on) through change sets.
    Deploy {
        #[command(flatten)]
        select: Select,
        /// When to ask before a change set is executed [default: broadening;
        /// with --local, never: the emulator holds nothing real]
        #[arg(long, value_enum)]
        require_approval: Option<RequireApproval>,
        /// Write every stack's outputs to this JSON file.
        #[arg(long)]
        outputs_file: Option<PathBuf>,
        /// Through a change set (shown first), or CreateStack/UpdateStack directly.
        #[arg(long, value_enum, default_value_t = Method::ChangeSet)]
        method: Method,
        /// The IAM role CloudFormation assumes to make the changes (the
        /// pipeline passes `tap-cfn-exec-<region>` from `tap bootstrap`).
        #[arg(long)]
        role_arn: Option<String>,
        /// A value for a deploy-time parameter (`parameter Name { … }` in the
        /// stack), for every stack that has it or, with `STACK:`, for one;
        /// repeat for more. Without one, an update keeps the deployed value
        /// and a create takes the parameter's default.
        #[arg(long = "parameter", value_name = "[STACK:]NAME=VALUE")]
        parameters: Vec<String>,
        #[command(flatten)]
        hotswap: HotswapArgs,
        /// Put back what was changed outside CloudFormation, through a
        /// drift-aware change set (shown with template, deployed and actual
        /// values before it is executed).
        #[arg(long, conflicts_with_all = ["hotswap", "hotswap_only"])]
        revert_drift: bool,
        /// Write what was deployed, hotswapped and unchanged to this JSON
        /// file (for `tap watch`).
        #[arg(long, hide = true)]
        report_file: Option<PathBuf>,
    },
    #[cfg(feature = "dev")]
    /// For development: deploy with --hotswap now and on every change to the
    /// app's sources (its stacks' crates and its functions' crates), building
    /// this program again first so that `stack!` checks each change.
    Watch {
        #[command(flatten)]
        select: Select,
        /// Only hotswap: list and skip changes that need CloudFormation.
        #[arg(long)]
        hotswap_only: bool,
        /// Hotswap even a stack with termination protection.
        #[arg(long)]
        force: bool,
        /// As for deploy [default: broadening; with --local, never]
        #[arg(long, value_enum)]
        require_approval: Option<RequireApproval>,
        /// Stop after this many rounds (the first runs at the start).
        #[arg(long)]
        rounds: Option<u32>,
        /// How long the files must be quiet before a round starts, in milliseconds.
        #[arg(long, default_value_t = 300, value_name = "MS")]
        debounce: u64,
        /// Do not build this program again before each round (by default
        /// `cargo build --bin NAME`, when cargo built it): a change to a
        /// stack then needs watch restarted.
        #[arg(long)]
        no_build: bool,
    },
    /// Detect drift: what was changed outside CloudFormation in the deployed
    /// stacks, property by property. Exits non-zero when anything drifted.
    Drift(Select),
    /// Delete stacks, dependents first.
    Destroy {
        #[command(flatten)]
        select: Select,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        force: bool,
    },
    /// Deploy the toolkit stack: the asset bucket and CloudFormation execution role.
    Bootstrap {
        /// Through a change set, or CreateStack/UpdateStack directly.
        #[arg(long, value_enum, default_value_t = Method::ChangeSet)]
        method: Method,
        /// Give the CloudFormation execution role AdministratorAccess, as the
        /// CDK does, instead of exactly what deploying this app needs.
        #[arg(long)]
        admin_execution_role: bool,
        /// Bootstrap this environment of the app (its account and region,
        /// reached as it says) instead of the command line's; repeat for more.
        #[arg(long = "env", value_name = "ENV")]
        env: Vec<String>,
        /// Bootstrap every environment the app uses (and the command line's,
        /// when a stack has no environment).
        #[arg(long, conflicts_with = "env")]
        all: bool,
        /// Let this account deploy here: a deploy role it may assume, which
        /// runs tap's deploys and passes the execution role (as `cdk
        /// bootstrap --trust`); repeat for more. Accounts trusted before stay trusted.
        #[arg(long, value_name = "ACCOUNT")]
        trust: Vec<String>,
    },
    /// The local emulator behind `--local`.
    Local {
        #[command(subcommand)]
        action: LocalAction,
    },
    /// Write a CloudFormation template (JSON or YAML) as a `stack!`, and
    /// warn of what it does not reproduce.
    Migrate {
        /// The template file.
        #[arg(required_unless_present = "stack", conflicts_with = "stack")]
        template: Option<PathBuf>,
        /// A deployed stack instead: its template as CloudFormation processed
        /// it, transforms (SAM, macros) expanded.
        #[arg(long)]
        stack: Option<String>,
        /// The stack's name [default: the file's name in PascalCase]
        #[arg(long)]
        name: Option<String>,
        /// Write the source to this file instead of stdout.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// The pipeline's source.
    Source {
        #[command(subcommand)]
        action: SourceAction,
    },
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum SourceAction {
    /// Zip the repository's committed tree (`git archive HEAD`) and upload it
    /// where the pipeline reads its source, which starts it; then name the
    /// pipeline execution it started.
    Push {
        /// How long to wait for that execution, in seconds (0: do not wait).
        #[arg(long, default_value_t = 90)]
        wait: u64,
    },
}

/// `--hotswap`: for development, the fast path past CloudFormation.
#[derive(Args, Debug, Clone, Default)]
pub struct HotswapArgs {
    /// For development: when only functions' code or environment changed,
    /// update them in Lambda directly (no change set, no canary) and say how
    /// the stack now differs from its template; any other change deploys
    /// through a change set as usual. The next plain deploy reconciles.
    #[arg(long, group = "hotswap_mode")]
    pub hotswap: bool,
    /// As --hotswap, but changes that cannot be hotswapped are listed and
    /// skipped instead of deployed.
    #[arg(long, group = "hotswap_mode")]
    pub hotswap_only: bool,
    /// Hotswap even a stack with termination protection (which marks a stack
    /// that matters: hotswap refuses it otherwise).
    #[arg(long, requires = "hotswap_mode")]
    pub force: bool,
}

impl HotswapArgs {
    pub fn options(&self) -> Option<crate::deploy::hotswap::Options> {
        (self.hotswap || self.hotswap_only).then_some(crate::deploy::hotswap::Options {
            only: self.hotswap_only,
            force: self.force,
        })
    }
}

#[derive(Args, Debug, Clone)]
pub struct Select {
    /// Stacks: `Name`, `env/Name` for a stack pinned to an environment, or a
    /// pattern where `*` stands for anything (`staging/*`) [default: all]
    pub stacks: Vec<String>,
    /// Every stack of the app.
    #[arg(long, conflicts_with_all = ["stacks", "env"])]
    pub all: bool,
    /// Every stack of this environment (repeat for more).
    #[arg(long = "env", value_name = "ENV")]
    pub env: Vec<String>,
}

#[derive(Subcommand, Debug, Clone, Copy)]
pub enum LocalAction {
    /// Start it (or reuse the running one) and print its endpoint.
    Start,
    /// Stop it.
    Stop,
    /// Say whether it is running.
    Status,
}

/// Runs a command on `app`; the report goes to `ui`.
pub async fn run(cli: Cli, app: &App, ui: &Ui) -> Result<(), Error> {
    if let Some(dir) = &cli.work_dir {
        crate::set_work_dir(dir.clone());
    }
    let mut app = app.clone();
    if let Some(q) = &cli.target.qualifier {
        app.qualifier = Some(q.clone());
    }
    if let Some(q) = &app.qualifier {
        parse_qualifier(q).map_err(|why| Error::Other(format!("qualifier `{q}`: {why}")))?;
    }
    // A StackSet's mistakes are named before anything connects or builds.
    let mut names = std::collections::BTreeSet::new();
    for set in &app.stack_sets {
        set.validate().map_err(Error::Other)?;
        if !names.insert(set.name()) {
            return Err(Error::Other(format!(
                "two StackSets are named {}: give one another name",
                set.name()
            )));
        }
    }
    run_on(&cli, &app, ui).await.map_err(Error::from)
}

async fn run_on(cli: &Cli, app: &App, ui: &Ui) -> Result<()> {
    crate::deploy::explain::set_verbose(cli.verbose);
    match &cli.command {
        Command::Synth { out } => {
            let synthesized = synthesize(app)?;
            synth::write(out, &synthesized)?;
            for set in &app.stack_sets {
                let template = synth::stack_set_template(set)?;
                let dir = out.join("stacksets");
                std::fs::create_dir_all(&dir)?;
                let file = dir.join(format!("{}.template.json", set.name()));
                std::fs::write(&file, template.to_pretty_string())?;
                ui.line(format!(
                    "StackSet {}: {} resources -> {}",
                    set.name(),
                    template.resources.len(),
                    file.display()
                ));
            }
            for s in &synthesized {
                ui.line(format!(
                    "{}: {} resources, {} outputs -> {}",
                    s.id,
                    s.template.resources.len(),
                    s.template.outputs.len(),
                    out.join(synth::template_file(s)).display()
                ));
            }
            ui.line(format!(
                "manifest -> {}",
                out.join("manifest.json").display()
            ));
        }
        Command::List => {
            for s in synth::synth_unpackaged(&app.stacks)? {
                let mut line = s.id.clone();
                if let Some(env) = &s.env {
                    line.push_str(&format!(
                        " [account {}, region {}]",
                        env.account.as_deref().unwrap_or("of the credentials"),
                        env.region.as_deref().unwrap_or("of the command line")
                    ));
                }
                if !s.dependencies.is_empty() {
                    line.push_str(&format!(" (depends on {})", s.dependencies.join(", ")));
                }
                ui.line(line);
            }
            for set in &app.stack_sets {
                ui.line(format!(
                    "{} [StackSet: {}]",
                    set.name(),
                    set.describe_targets()
                ));
            }
        }
        Command::Contract { function } => {
            let mut found = false;
            for stack in &app.stacks {
                for (name, code) in functions(stack) {
                    if name != *function && name.rsplit('/').next() != Some(function.as_str()) {
                        continue;
                    }
                    found = true;
                    let base = crate::project_dir().join(stack.base_dir());
                    let lines = contract_view(&base, &code)
                        .map_err(|e| anyhow!("function `{name}` of {}: {e}", stack.name()))?;
                    ui.line(format!("function `{name}` of {}:", stack.name()));
                    lines.into_iter().for_each(|l| ui.line(l));
                }
            }
            if !found {
                bail!("no stack of this app has a function `{function}` whose code is an asset");
            }
        }
        Command::Migrate {
            template: Some(template),
            name,
            out,
            ..
        } => crate::migrate::command(template, name.as_deref(), out.as_deref(), ui)?,
        Command::Migrate {
            stack: Some(stack),
            name,
            out,
            ..
        } => {
            let session = connect(&cli.target, app, ui).await?;
            let body = crate::deploy::cfn::processed_template(&session.aws, stack).await?;
            crate::migrate::write_source(&body, stack, name.as_deref(), out.as_deref(), ui)?;
        }
        Command::Migrate { .. } => {
            anyhow::bail!("migrate: give a template file or --stack NAME")
        }
        Command::Local { action } => {
            let dir = LocalDir::new(tap_dir().join("local"));
            match action {
                LocalAction::Start => {
                    let e = dir.ensure_running()?;
                    ui.line(e.endpoint());
                }
                LocalAction::Stop => {
                    if dir.stop()? {
                        ui.line("local: LocalStack stopped");
                    } else {
                        ui.line("local: LocalStack was not running");
                    }
                }
                LocalAction::Status => match dir.running() {
                    Some(e) => ui.line(format!(
                        "local: running at {} (pid {})",
                        e.endpoint(),
                        e.pid
                    )),
                    None => ui.line("local: not running"),
                },
            }
        }
        Command::Diff(select) => {
            // Who and where first: a credentials problem is named before a long package build.
            let (stacks, sets) = split_selection(app, select);
            let sessions = if stacks_selected(select, &stacks) {
                connect_selected(cli, app, ui, &stacks).await?
            } else {
                deploy::envs::Sessions::single(connect(&cli.target, app, ui).await?)
            };
            if stacks_selected(select, &stacks) {
                let synthesized = synthesize(app)?;
                deploy::diff_app(&sessions, &synthesized, &stacks.stacks, &stacks.env).await?;
            }
            for set in sets {
                let template = synth::stack_set_template(set)?.to_json();
                deploy::stack_set::diff(sessions.base(), set, &template).await?;
            }
        }
        Command::Deploy {
            select,
            require_approval,
            outputs_file,
            method,
            role_arn,
            parameters,
            hotswap,
            revert_drift,
            report_file,
        } => {
            let parameters = crate::deploy::parameters::ParameterValues::parse(parameters)
                .map_err(|e| Error::Other(e.to_string()))?;
            let (stacks, sets) = split_selection(app, select);
            // With --local there are no credentials to name first: the
            // emulator's install and start overlap the package build.
            let synthesized = if cli.target.local {
                Some(synthesize_while_local_starts(app)?)
            } else {
                None
            };
            let sessions = if stacks_selected(select, &stacks) {
                connect_selected(cli, app, ui, &stacks).await?
            } else {
                deploy::envs::Sessions::single(connect(&cli.target, app, ui).await?)
            };
            let session = sessions.base().clone();
            let synthesized = match synthesized {
                Some(s) => s,
                None => synthesize(app)?,
            };
            let opts = DeployOptions {
                approval: require_approval.unwrap_or(if cli.target.local {
                    RequireApproval::Never
                } else {
                    RequireApproval::Broadening
                }),
                method: *method,
                outputs_file: outputs_file.clone(),
                role_arn: role_arn.clone(),
                parameters,
                hotswap: hotswap.options(),
                revert_drift: *revert_drift,
            };
            let report = if stacks_selected(select, &stacks) {
                interruptible(&session, async {
                    Ok(deploy::deploy_app(
                        &sessions,
                        &synthesized,
                        &stacks.stacks,
                        &stacks.env,
                        &opts,
                        app.source.as_ref(),
                    )
                    .await?)
                })
                .await?
            } else {
                deploy::Report::default()
            };
            // After the stacks: a StackSet may rely on what they made (an
            // execution role, a bucket of this account's).
            for set in sets {
                let template = synth::stack_set_template(set)?.to_json();
                interruptible(&session, async {
                    deploy::stack_set::deploy(&session, set, &template, opts.approval).await
                })
                .await?;
            }
            if let Some(path) = report_file {
                let json = serde_json::json!({
                    "deployed": report.deployed,
                    "hotswapped": report.hotswapped,
                    "unchanged": report.unchanged,
                });
                crate::fsutil::write_atomic(path, json.to_string().as_bytes())
                    .map_err(|e| anyhow!("writing {}: {e}", path.display()))?;
            }
        }
        #[cfg(feature = "dev")]
        Command::Watch {
            select,
            hotswap_only,
            force,
            require_approval,
            rounds,
            debounce,
            no_build,
        } => {
            let exe = std::env::current_exe()
                .map_err(|e| anyhow!("finding this program to run it again: {e}"))?;
            let mut args = global_args(cli, app);
            args.push("deploy".into());
            args.extend(select.stacks.iter().map(Into::into));
            for e in &select.env {
                args.push("--env".into());
                args.push(e.into());
            }
            args.push(
                if *hotswap_only {
                    "--hotswap-only"
                } else {
                    "--hotswap"
                }
                .into(),
            );
            if *force {
                args.push("--force".into());
            }
            if let Some(a) = require_approval {
                args.push("--require-approval".into());
                args.push(
                    clap::ValueEnum::to_possible_value(a)
                        .map(|v| v.get_name().to_string())
                        .unwrap_or_default()
                        .into(),
                );
            }
            let w = crate::watch::Watch {
                roots: watched_dirs(app, &select.stacks, &select.env)?,
                project: crate::project_dir(),
                build: if *no_build {
                    None
                } else {
                    crate::watch::Build::of(&exe)
                },
                exe,
                deploy_args: args,
                rounds: *rounds,
                quiet: std::time::Duration::from_millis(*debounce),
            };
            crate::watch::run(&w, ui).await?;
        }
        Command::Drift(select) => {
            let sessions = connect_selected(cli, app, ui, select).await?;
            let synthesized = synth::synth_unpackaged(&app.stacks)?;
            let drifted =
                deploy::drift::drift_app(&sessions, &synthesized, &select.stacks, &select.env)
                    .await?;
            if drifted > 0 {
                return Err(Error::Drifted { count: drifted }.into());
            }
        }
        Command::Destroy { select, force } => {
            if select.stacks.is_empty() && select.env.is_empty() && !select.all {
                bail!("name the stacks to destroy (or `--env ENV`), or pass --all");
            }
            // Only names and dependencies matter: what is deleted is what is deployed.
            let synthesized = synth::synth_unpackaged(&app.stacks)?;
            let sessions = connect_selected(cli, app, ui, select).await?;
            let session = sessions.base().clone();
            interruptible(&session, async {
                Ok(deploy::destroy::destroy_app(
                    &sessions,
                    &synthesized,
                    &select.stacks,
                    &select.env,
                    *force,
                )
                .await?)
            })
            .await?;
        }
        Command::Source {
            action: SourceAction::Push { wait },
        } => {
            let session = connect(&cli.target, app, ui).await?;
            // The local emulator has no CodePipeline (LocalStack's Pro edition has).
            let wait_for =
                (!cli.target.local && *wait > 0).then(|| std::time::Duration::from_secs(*wait));
            let target = app.source.as_ref().ok_or_else(|| {
                anyhow!("this app names no pipeline source: give its App a `.source(…)`")
            })?;
            crate::source::push(&session.aws, ui, &crate::project_dir(), target, wait_for).await?;
            if cli.target.local {
                ui.line("local: the emulator runs no pipelines; the source is where the pipeline on AWS picks it up");
            }
        }
        Command::Bootstrap {
            method,
            admin_execution_role,
            env,
            all,
            trust,
        } => {
            let synthesized = synth::synth_unpackaged(&app.stacks)?;
            // The places to bootstrap: environments by name, or the command line's.
            let mut places: Vec<Option<String>> = if *all {
                let mut p: Vec<Option<String>> = synthesized
                    .iter()
                    .map(|s| s.env_name().map(str::to_string))
                    .collect();
                p.sort();
                p.dedup();
                p
            } else if env.is_empty() {
                vec![None]
            } else {
                env.iter().cloned().map(Some).collect()
            };
            places.dedup();
            let base = connect(&cli.target, app, ui).await?;
            let mut sessions = deploy::envs::Sessions::single(base).for_bootstrap();
            for place in &places {
                let here: Vec<&synth::Synthesized> = match place {
                    Some(e) => {
                        let here: Vec<&synth::Synthesized> = synthesized
                            .iter()
                            .filter(|s| s.env_name() == Some(e.as_str()))
                            .collect();
                        if here.is_empty() {
                            bail!("no stack of this app is in environment `{e}`");
                        }
                        sessions
                            .connect(&target_of(cli), &here, cli.target.local)
                            .await?;
                        here
                    }
                    // The command line's account and region: the stacks with no
                    // environment (all of them in an app without environments).
                    None => synthesized.iter().filter(|s| s.env.is_none()).collect(),
                };
                let session = sessions.for_env(place.as_deref());
                let role = if *admin_execution_role {
                    ExecRole::Admin
                } else {
                    ExecRole::for_app(here.iter().copied())?
                };
                let t = deploy::toolkit::bootstrap_trusting(session, *method, &role, trust).await?;
                session.ui.line(format!("asset bucket: {}", t.bucket));
                session.ui.line(format!(
                    "CloudFormation execution role: {}",
                    t.cfn_exec_role
                ));
            }
        }
    }
    Ok(())
}

/// The selection split in two: the patterns for the app's stacks (and
/// `--env`), and the StackSets selected (all of them when nothing is named).
fn split_selection<'a>(app: &'a App, select: &Select) -> (Select, Vec<&'a crate::StackSet>) {
    let everything = select.stacks.is_empty() && select.env.is_empty();
    let ids: Vec<String> = app.stacks.iter().map(|s| s.id()).collect();
    let names_a_stack = |n: &String| ids.iter().any(|id| deploy::envs::matches(n, id));
    let names_a_set = |n: &String| {
        app.stack_sets
            .iter()
            .any(|s| deploy::envs::matches(n, s.name()))
    };
    let sets = app
        .stack_sets
        .iter()
        .filter(|s| {
            everything
                || select
                    .stacks
                    .iter()
                    .any(|n| deploy::envs::matches(n, s.name()))
        })
        .collect();
    let stacks = Select {
        stacks: select
            .stacks
            .iter()
            .filter(|n| names_a_stack(n) || !names_a_set(n))
            .cloned()
            .collect(),
        all: select.all,
        env: select.env.clone(),
    };
    (stacks, sets)
}

/// Whether the app's stacks are part of the selection (not only StackSets).
fn stacks_selected(original: &Select, stacks: &Select) -> bool {
    original.stacks.is_empty() || !stacks.stacks.is_empty() || !stacks.env.is_empty()
}

/// The global flags of this run, for a program `tap watch` runs.
#[cfg(feature = "dev")]
fn global_args(cli: &Cli, app: &App) -> Vec<std::ffi::OsString> {
    let t = &cli.target;
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    let mut flag = |name: &str, value: Option<&str>| {
        if let Some(v) = value {
            args.push(name.into());
            args.push(v.into());
        }
    };
    flag("--profile", t.profile.as_deref());
    flag("--region", t.region.as_deref());
    flag("--qualifier", app.qualifier.as_deref());
    if cli.work_dir.is_some() {
        args.push("--work-dir".into());
        args.push(tap_dir().into());
    }
    if t.local {
        args.push("--local".into());
    }
    if cli.verbose {
        args.push("--verbose".into());
    }
    args
}

/// What `tap watch` watches for the selected stacks (all when none are
/// named): each stack's crate, and each of its functions' crates with the
/// local crates they depend on. None inside another.
#[cfg(feature = "dev")]
fn watched_dirs(app: &App, names: &[String], envs: &[String]) -> Result<Vec<PathBuf>> {
    let project = crate::project_dir();
    let mut dirs = Vec::new();
    for stack in &app.stacks {
        let id = stack.id();
        let named = names.is_empty() || names.iter().any(|n| deploy::envs::matches(n, &id));
        let in_env = envs.is_empty() || stack.env().is_some_and(|e| envs.contains(&e.name));
        if !named || !in_env {
            continue;
        }
        let base = project.join(stack.base_dir());
        dirs.push(base.clone());
        for (_, code) in functions(stack) {
            let Ok(dir) = base.join(&code).canonicalize() else {
                continue;
            };
            if let Ok(g) = graph::graph(&dir, &dir.join("src")) {
                dirs.extend(g.local.iter().map(|l| l.dir.clone()));
            }
            dirs.push(dir);
        }
    }
    if let Some(unknown) = names
        .iter()
        .find(|n| !app.stacks.iter().any(|s| deploy::envs::matches(n, &s.id())))
    {
        bail!("no stack named `{unknown}` in this app");
    }
    let mut dirs: Vec<PathBuf> = dirs
        .into_iter()
        .map(|d| d.canonicalize().unwrap_or(d))
        .collect();
    dirs.sort();
    dirs.dedup();
    let all = dirs.clone();
    dirs.retain(|d| !all.iter().any(|o| o != d && d.starts_with(o)));
    Ok(dirs)
}

/// The app's stacks, synthesized with their assets packaged: the same path
/// for `synth`, `diff` and `deploy`.
pub fn synthesize(app: &App) -> Result<Vec<Synthesized>, Error> {
    synth::synth_all(
        &app.stacks,
        &Packager::new(tap_dir()).with_qualifier(app.qualifier.clone()),
    )
    .map_err(Error::from)
}

/// [`synthesize`], with LocalStack installed and started meanwhile on another
/// thread (a first `deploy --local` does both, and each takes minutes on a
/// fresh machine). The start is waited for whatever synthesis gives, so that
/// an emulator is never left half started; a failure of either is reported,
/// synthesis's first.
fn synthesize_while_local_starts(app: &App) -> Result<Vec<Synthesized>, Error> {
    let starting = std::thread::spawn(|| LocalDir::new(tap_dir().join("local")).ensure_running());
    let synthesized = synthesize(app);
    let started = starting.join();
    let synthesized = synthesized?;
    started.map_err(|_| Error::Other("starting LocalStack failed unexpectedly".into()))??;
    Ok(synthesized)
}

/// Where the command line's flags point, before the emulator is started.
fn target_of(cli: &Cli) -> Target {
    let args = &cli.target;
    let mut target = Target {
        profile: args.profile.clone(),
        region: args.region.clone(),
        ..Target::default()
    };
    if args.local {
        if let Some(e) = LocalDir::new(tap_dir().join("local")).running() {
            target.endpoint_url = Some(e.endpoint());
        }
        target.dummy_credentials = true;
        target.region = Some(args.region.clone().unwrap_or_else(|| "us-east-1".into()));
        // An emulator's HTTP 500 retried can come back as a misleading second error.
        target.max_attempts = Some(1);
    }
    target
}

async fn connect(args: &TargetArgs, app: &App, ui: &Ui) -> Result<Session> {
    let mut target = Target {
        profile: args.profile.clone(),
        region: args.region.clone(),
        ..Target::default()
    };
    if args.local {
        let emulator = LocalDir::new(tap_dir().join("local")).ensure_running()?;
        target.endpoint_url = Some(emulator.endpoint());
        target.dummy_credentials = true;
        target.region = Some(args.region.clone().unwrap_or_else(|| "us-east-1".into()));
        // An emulator's HTTP 500 retried can come back as a misleading second error.
        target.max_attempts = Some(1);
    }
    Ok(
        Session::new(Aws::connect(&target).await?, ui.clone())
            .with_qualifier(app.qualifier.clone()),
    )
}

/// The command line's session, and one for each environment of the
/// selected stacks and of those they depend on: each reached (and its
/// account checked) before anything is built or deployed.
async fn connect_selected(
    cli: &Cli,
    app: &App,
    ui: &Ui,
    select: &Select,
) -> Result<deploy::envs::Sessions> {
    let base = connect(&cli.target, app, ui).await?;
    let mut sessions = deploy::envs::Sessions::single(base);
    if app.stacks.iter().all(|s| s.env().is_none()) {
        return Ok(sessions);
    }
    let unpackaged = synth::synth_unpackaged(&app.stacks)?;
    let waves = deploy::waves_in(&unpackaged, &select.stacks, &select.env)?;
    let selected: Vec<&synth::Synthesized> = waves.into_iter().flatten().collect();
    sessions
        .connect(&target_of(cli), &selected, cli.target.local)
        .await?;
    Ok(sessions)
}

/// Ctrl-C stops tap but not CloudFormation.
async fn interruptible<T>(
    session: &Session,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    deploy::until_interrupted(session, work, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

use tap_core::crate_graph as graph;

/// A stack's functions whose code is a crate (`code: asset("…")`), with its path.
fn functions(stack: &tap_core::Stack) -> Vec<(String, String)> {
    use tap_core::ir::{field, Value};
    stack
        .definition()
        .resources()
        .filter(|d| d.kind.text == "lambda::Function")
        .filter_map(|d| match field(&d.fields, "code") {
            Some(Value::Call { func, args }) if func.text == "asset" => match args.as_slice() {
                [Value::Str { text, .. }] => Some((d.name.text.clone(), text.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// `tap contract NAME`: the crates of the function at `code` (relative to
/// `base`) that its contract is checked against, and those it is not.
fn contract_view(base: &std::path::Path, code: &str) -> Result<Vec<String>, String> {
    let dir = base
        .join(code)
        .canonicalize()
        .map_err(|e| format!("its crate `{code}`: {e}"))?;
    let src = dir.join("src");
    let g = graph::graph(&dir, &src)?;
    let mut out = Vec::new();
    let declares = std::fs::read_dir(&src)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("contract!")))
        })
        .unwrap_or(false);
    let name = g.local.first().map_or("?", |l| l.name.as_str());
    out.push(format!(
        "  crate `{name}` ({code}){}",
        if declares {
            ""
        } else {
            ": no `contract!` in its src/, so nothing is checked"
        }
    ));
    out.push("  read (SDK calls and variable reads, checked against the contract):".into());
    for l in &g.local {
        out.push(format!(
            "    {} ({}/)",
            l.name,
            graph::relative(&dir, &l.src)
        ));
    }
    out.push("  not read:".into());
    let before = out.len();
    for m in &g.macros {
        out.push(format!("    {m}: a proc macro (it runs in the compiler)"));
    }
    if !g.sdk.is_empty() {
        let sdk: Vec<&str> = g.sdk.iter().map(String::as_str).collect();
        out.push(format!(
            "    {}: the AWS SDK (tap reads the calls made to it)",
            sdk.join(", ")
        ));
    }
    for u in &g.unread {
        out.push(format!(
            "    {} {} (through {}): depends on {}; the contract says what it calls (`uses {} {{ … }}`)",
            u.name,
            u.version,
            u.via,
            u.sdk.join(", "),
            u.name
        ));
    }
    if g.others > 0 {
        out.push(format!(
            "    {} registry crates that depend on no AWS SDK crate",
            g.others
        ));
    }
    if out.len() == before {
        out.push("    nothing".into());
    }
    if let Some(lock) = &g.lock {
        out.push(format!("  (dependencies from the manifests and {lock})"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use tap_macros::stack;

    stack! {
        stack Baseline {
            topic = sns::Topic { display_name: "baseline" };
        }
    }

    fn select(names: &[&str], env: &[&str]) -> super::Select {
        super::Select {
            stacks: names.iter().map(|n| n.to_string()).collect(),
            all: false,
            env: env.iter().map(|n| n.to_string()).collect(),
        }
    }

    /// A name picks StackSets or stacks; nothing named picks both.
    #[test]
    fn a_selection_splits_into_stacks_and_stack_sets() {
        let prod = tap_core::Env::new("prod")
            .account("222222222222")
            .region("eu-west-1");
        let app = super::App::new()
            .stack(
                Baseline::new(BaselineProps::default())
                    .expect("stack")
                    .with_name("Api")
                    .in_env(&prod),
            )
            .stack_set(
                crate::StackSet::new(Baseline::new(BaselineProps::default()).expect("stack"))
                    .accounts(["333333333333"])
                    .regions(["us-east-1"]),
            );
        let (stacks, sets) = super::split_selection(&app, &select(&[], &[]));
        assert_eq!(sets.len(), 1);
        assert!(super::stacks_selected(&select(&[], &[]), &stacks));
        let only_set = select(&["Baseline"], &[]);
        let (stacks, sets) = super::split_selection(&app, &only_set);
        assert_eq!(sets.len(), 1);
        assert!(!super::stacks_selected(&only_set, &stacks));
        let only_stack = select(&["prod/*"], &[]);
        let (stacks, sets) = super::split_selection(&app, &only_stack);
        assert!(sets.is_empty());
        assert_eq!(stacks.stacks, ["prod/*"]);
        assert!(super::stacks_selected(&only_stack, &stacks));
        let by_env = select(&[], &["prod"]);
        let (stacks, sets) = super::split_selection(&app, &by_env);
        assert!(sets.is_empty(), "--env names stacks, not StackSets");
        assert!(super::stacks_selected(&by_env, &stacks));
        // A misspelt name is left to the stacks' selection, which names what there is.
        let typo = select(&["Baselin"], &[]);
        let (stacks, sets) = super::split_selection(&app, &typo);
        assert!(sets.is_empty());
        assert_eq!(stacks.stacks, ["Baselin"]);
    }

    /// The seed's function: its own crate is all tap reads.
    #[test]
    fn the_contract_view_of_the_seed_function() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lines = super::contract_view(&root, "lambda").expect("reads the graph");
        let text = lines.join("\n");
        assert!(
            text.starts_with("  crate `tap-lambda` (lambda)\n"),
            "{text}"
        );
        assert!(text.contains("  read (SDK calls and variable reads, checked against the contract):\n    tap-lambda (src/)\n  not read:\n    tap-macros: a proc macro"), "{text}");
        assert!(
            text.contains("    aws-config, aws-sdk-s3, aws-sdk-secretsmanager: the AWS SDK"),
            "{text}"
        );
        assert!(
            text.ends_with("(dependencies from the manifests and ../Cargo.lock)"),
            "{text}"
        );
    }

    /// A function split into local crates: each one is read.
    #[test]
    fn the_contract_view_names_the_local_crates_read() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let lines =
            super::contract_view(&root, "tests/ui/functions/archiver").expect("reads the graph");
        let text = lines.join("\n");
        assert!(
            text.contains("    tap-fixture-archiver (src/)\n    tap-fixture-store (../store/src/)\n    tap-fixture-keys (../keys/src/)\n"),
            "{text}"
        );
    }
}
