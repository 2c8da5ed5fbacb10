//! Following a stack operation through its events: a line per resource event
//! with the stack's progress, and at the end what failed and why.

use super::aws::{call_error, Aws, CallError};
use super::backoff::Backoff;
use super::cfn::{self, Deployed};
use super::ui::Ui;
use anyhow::{bail, Result};
use std::collections::BTreeSet;
use std::time::Instant;

/// A resource CloudFormation could not create, update or delete.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: String,
}

impl Failure {
    /// Failures caused by another resource's failure, not by their own.
    pub fn is_secondary(&self) -> bool {
        let r = self.reason.to_ascii_lowercase();
        r.contains("resource creation cancelled")
            || r.contains("resource update cancelled")
            || r.contains("the following resource(s) failed")
    }
}

/// How an operation ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub stack: Deployed,
    /// Failed resources, the ones that caused the failure first.
    pub failures: Vec<Failure>,
    /// Reasons CloudFormation gave on resources that did complete, such as an
    /// emulator saying it only pretended to create one.
    pub warnings: Vec<String>,
    /// Resource events seen.
    pub events: usize,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        matches!(
            self.stack.status.as_str(),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
        )
    }
}

/// Follows one stack's events from the moment it is created.
pub struct Monitor {
    stack_name: String,
    stack_id: String,
    /// The newest event before the operation started: everything up to it is history.
    seen: BTreeSet<String>,
    expected: usize,
    done: BTreeSet<String>,
    started: Instant,
}

/// Failed polls in a row after which tap stops following (about a minute of backoff).
const MAX_FAILED_POLLS: u32 = 10;

/// Stack statuses after which nothing more happens without a new operation.
fn terminal(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

impl Monitor {
    /// Marks the stack's existing events as history. `expected` is how many
    /// resources the operation touches (for the `done/total` counter).
    pub async fn start(
        aws: &Aws,
        stack_name: &str,
        stack_id: &str,
        expected: usize,
    ) -> Result<Monitor> {
        let mut m = Monitor {
            stack_name: stack_name.to_string(),
            stack_id: stack_id.to_string(),
            seen: BTreeSet::new(),
            expected,
            done: BTreeSet::new(),
            started: Instant::now(),
        };
        if !stack_id.is_empty() {
            for e in m.events(aws, false).await? {
                m.seen.insert(e.event_id);
            }
        }
        Ok(m)
    }

    pub fn set_stack_id(&mut self, id: &str) {
        self.stack_id = id.to_string();
    }

    /// Prints events as they come until the operation ends.
    pub async fn follow(&mut self, aws: &Aws, ui: &Ui) -> Result<Outcome> {
        let mut backoff = Backoff::new();
        let mut tally = Tally::default();
        let mut polls = 0u32;
        let mut failed_polls = 0u32;
        let mut failed_describes = 0u32;
        loop {
            polls += 1;
            let (fresh, stack_finished) = match self.poll(aws, ui, &mut tally).await {
                Ok(r) => {
                    failed_polls = 0;
                    r
                }
                // A throttled or dropped poll says nothing about the stack: look again.
                Err(e) => {
                    failed_polls += 1;
                    self.poll_failed(ui, e, failed_polls)?;
                    backoff.wait().await;
                    continue;
                }
            };
            if fresh == 0 {
                backoff.wait().await;
            } else {
                backoff.reset();
            }
            // The stack's own final event ends it; without one (an endpoint that
            // reports only some events) the stack's status is checked now and then.
            if !(stack_finished || fresh == 0 && polls.is_multiple_of(4)) {
                continue;
            }
            let stack = match cfn::describe(aws, &self.stack_id).await {
                Ok(s) => {
                    failed_describes = 0;
                    s
                }
                // The stack's own event said it is deleted: an endpoint that
                // cannot describe it any more (moto) has nothing to add.
                Err(_) if tally.stack_status.as_deref() == Some("DELETE_COMPLETE") => None,
                // Counted apart from the event polls, which may go on working
                // while this fails every time.
                Err(e) => {
                    failed_describes += 1;
                    self.poll_failed(ui, e, failed_describes)?;
                    backoff.wait().await;
                    continue;
                }
            };
            let stack = match stack {
                Some(s) if !terminal(&s.status) => continue,
                Some(s) => s,
                // Gone: a delete finished.
                None => Deployed {
                    stack_id: self.stack_id.clone(),
                    status: "DELETE_COMPLETE".into(),
                    ..Deployed::default()
                },
            };
            // Events written just before the end (the failure that caused a rollback).
            if stack.status != "DELETE_COMPLETE" {
                let mut failed = 0;
                while let Err(e) = self.poll(aws, ui, &mut tally).await {
                    failed += 1;
                    self.poll_failed(ui, e, failed)?;
                    backoff.wait().await;
                }
            }
            return Ok(Outcome {
                stack,
                failures: order(tally.failures),
                warnings: tally.warnings,
                events: tally.events,
            });
        }
    }

    /// Decides whether following can go on after a failed poll: not with
    /// expired credentials, nor after [`MAX_FAILED_POLLS`] in a row. Either way
    /// CloudFormation goes on, and the error says how to follow it.
    fn poll_failed(&self, ui: &Ui, e: anyhow::Error, failed: u32) -> Result<()> {
        let expired = e.downcast_ref::<CallError>().is_some_and(|c| c.expired);
        if !expired && failed < MAX_FAILED_POLLS {
            ui.line(format!("{}: {e:#} (retrying)", self.stack_name));
            return Ok(());
        }
        let name = &self.stack_name;
        let why = if expired {
            "the credentials expired while tap was following the stack"
        } else {
            "tap could not read the stack's progress"
        };
        bail!(
            "{e:#}\n{name}: {why}, but CloudFormation goes on with the operation: follow it with `aws cloudformation describe-stack-events --stack-name {name}`, or run tap again (it waits for the operation to finish)"
        )
    }

    /// Reads and prints the events since the last poll. Returns how many there
    /// were and whether the stack's own final event was among them.
    async fn poll(&mut self, aws: &Aws, ui: &Ui, tally: &mut Tally) -> Result<(usize, bool)> {
        let mut fresh = self.events(aws, true).await?;
        // Newest first from the API; shown oldest first.
        fresh.reverse();
        let mut stack_finished = false;
        for e in &fresh {
            self.seen.insert(e.event_id.clone());
            let is_stack = e.resource_type == "AWS::CloudFormation::Stack"
                && (e.logical_id == self.stack_name || e.physical_id == self.stack_id);
            if is_stack {
                stack_finished |= terminal(&e.status);
                tally.stack_status = Some(e.status.clone());
            } else {
                tally.events += 1;
                if e.status.ends_with("_COMPLETE") {
                    self.done.insert(e.logical_id.clone());
                    if let Some(r) = &e.reason {
                        tally
                            .warnings
                            .push(format!("{} ({}): {r}", e.logical_id, e.resource_type));
                    }
                }
                if e.status.ends_with("_FAILED") {
                    tally.failures.push(Failure {
                        logical_id: e.logical_id.clone(),
                        resource_type: e.resource_type.clone(),
                        status: e.status.clone(),
                        reason: e.reason.clone().unwrap_or_default(),
                    });
                }
            }
            ui.line(self.render(e));
        }
        Ok((fresh.len(), stack_finished))
    }

    fn render(&self, e: &Event) -> String {
        let secs = self.started.elapsed().as_secs();
        let mut line = format!(
            "{} | {:>3}/{:<3}| {:>2}:{:02} | {:<27} | {:<36} | {}",
            self.stack_name,
            self.done.len(),
            self.expected,
            secs / 60,
            secs % 60,
            e.status,
            e.resource_type,
            e.logical_id
        );
        if let Some(r) = &e.reason {
            if e.status.ends_with("_FAILED") || e.status.ends_with("_COMPLETE") {
                line.push_str(&format!("  {r}"));
            }
        }
        line
    }

    /// Events newest first, as CloudFormation lists them. With `unseen_only`,
    /// every event since the last poll, however many pages that takes (a large
    /// rollback can write more than a page between two polls); otherwise the
    /// newest page.
    async fn events(&self, aws: &Aws, unseen_only: bool) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let resp = aws
                .cfn
                .describe_stack_events()
                .stack_name(&self.stack_id)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| {
                    call_error(
                        &format!("reading the events of {}", self.stack_name),
                        &e,
                        aws,
                    )
                })?;
            for e in resp.stack_events() {
                let event = Event {
                    event_id: e.event_id().unwrap_or_default().to_string(),
                    logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
                    physical_id: e.physical_resource_id().unwrap_or_default().to_string(),
                    resource_type: e.resource_type().unwrap_or_default().to_string(),
                    status: e
                        .resource_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    reason: e
                        .resource_status_reason()
                        .filter(|r| !r.is_empty() && *r != "Resource creation Initiated")
                        .map(str::to_string),
                };
                if unseen_only && self.seen.contains(&event.event_id) {
                    return Ok(out);
                }
                out.push(event);
            }
            match resp.next_token() {
                Some(t) if unseen_only => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }
}

#[derive(Default)]
struct Tally {
    failures: Vec<Failure>,
    warnings: Vec<String>,
    events: usize,
    /// The stack's own latest status, as its events say.
    stack_status: Option<String>,
}

struct Event {
    event_id: String,
    logical_id: String,
    physical_id: String,
    resource_type: String,
    status: String,
    reason: Option<String>,
}

/// Root causes first, then resources that were only cancelled because of them.
fn order(mut failures: Vec<Failure>) -> Vec<Failure> {
    failures.sort_by_key(|f| f.is_secondary());
    failures
}
