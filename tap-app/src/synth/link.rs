//! Typed references between the app's stacks (`tap_core::refs`), made into
//! what CloudFormation deploys. Within one environment a reference is an
//! export of the producer and an `Fn::ImportValue` in the consumer. Between
//! two environments it cannot be (an export is seen only in its own account
//! and region): the producer gets a plain output, the consumer a parameter,
//! and `tap deploy` passes the one into the other ([`EnvInput`]).

use super::Synthesized;
use anyhow::{bail, Result};
use tap_core::template::Output;
use tap_core::{Env, Expr};

/// A value a stack takes from a stack of another environment: deploy reads
/// the producer's output and gives it as this parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvInput {
    /// The consumer's parameter.
    pub parameter: String,
    /// The producer, as the command line names it (`env/Name`).
    pub producer: String,
    /// The producer's output.
    pub output: String,
}

/// The metadata key of a consumer's template that lists its [`EnvInput`]s
/// (`{ parameter: "env/Stack.Output" }`): what a deployed stack still reads,
/// which `deploy` and `destroy` look up before removing a producer's output.
pub const INPUTS_METADATA: &str = "tap:inputs";

/// For each import of `<Stack>:<LogicalId>:<Attribute>` of a stack of this
/// app: an export (same environment) or an output read at deploy (another).
/// Only what consumers use is added.
pub fn references(out: &mut [Synthesized]) -> Result<()> {
    let imports: Vec<(usize, String)> = out
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.template.imports().into_iter().map(move |n| (i, n)))
        .collect();
    for (ci, import) in imports {
        let Some((producer, id, attribute)) = tap_core::refs::parse_export_name(&import) else {
            continue;
        };
        let (penv, pname) = tap_core::refs::split_producer(producer);
        let Some(pi) = out
            .iter()
            .position(|s| s.name == pname && s.env.as_ref().map(|e| e.name.as_str()) == penv)
        else {
            if let Some(env) = penv {
                bail!(
                    "{} takes a reference from {env}/{pname}, which is not in this app: add it with `App::stack`",
                    out[ci].id
                );
            }
            continue;
        };
        if pi == ci {
            continue;
        }
        let consumer = out[ci].id.clone();
        let producer_id = out[pi].id.clone();
        if !out[pi].template.resources.contains_key(id) {
            bail!("{consumer} imports `{import}`, but {producer_id} has no resource {id}");
        }
        let value = match attribute {
            "Ref" => Expr::Ref(id.to_string()),
            att => Expr::GetAtt(id.to_string(), att.replace('-', ".")),
        };
        let output: String = format!("Export{id}{attribute}")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        match (out[ci].env.clone(), out[pi].env.clone()) {
            (None, Some(p)) => bail!(
                "{consumer} has no environment and takes `{id}` from {producer_id}, which is pinned to `{}`: where {consumer} goes depends on the credentials and `--region`, so tap cannot tell whether the value crosses accounts or regions. Pin {consumer} with `.in_env(&…)` as well (tap then carries the value whichever the two are)",
                p.name
            ),
            (Some(c), None) => bail!(
                "{consumer} is pinned to `{}` and takes `{id}` from {producer_id}, which has no environment: where {producer_id} goes depends on the credentials and `--region`, so tap cannot tell whether the value crosses accounts or regions. Pin {producer_id} with `.in_env(&…)` as well",
                c.name
            ),
            (Some(c), Some(p)) if c.name != p.name => {
                cross_account(&out[pi], id, &c, &p, &consumer)?;
                add_output(&mut out[pi], &output, value, None, &consumer)?;
                let parameter: String = format!("TapIn{}{pname}{id}{attribute}", p.name)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                let c = &mut out[ci];
                // Names lose their hyphens: `a-b/Data` and `ab/Data` would meet.
                if let Some(other) = c.inputs.iter().find(|i| {
                    i.parameter == parameter && (i.producer != producer_id || i.output != output)
                }) {
                    bail!(
                        "{consumer} takes values from {} and {producer_id} that tap would pass as one parameter `{parameter}`: rename one of the environments or stacks",
                        other.producer
                    );
                }
                c.template.parameters.insert(
                    parameter.clone(),
                    Expr::map([
                        ("Type", Expr::str("String")),
                        (
                            "Description",
                            Expr::str(format!(
                                "{producer_id}'s {id} {attribute} (environment `{}`), passed in by tap deploy",
                                p.name
                            )),
                        ),
                    ]),
                );
                let by_ref = Expr::Ref(parameter.clone());
                c.template
                    .replace_imports(&|n| (n == import).then(|| by_ref.clone()));
                let inputs = c
                    .template
                    .metadata
                    .entry(INPUTS_METADATA.into())
                    .or_insert_with(|| Expr::Map(Default::default()));
                if let Expr::Map(m) = inputs {
                    m.insert(
                        parameter.clone(),
                        Expr::str(format!("{producer_id}.{output}")),
                    );
                }
                let input = EnvInput {
                    parameter,
                    producer: producer_id,
                    output,
                };
                if !c.inputs.contains(&input) {
                    c.inputs.push(input);
                }
            }
            _ => {
                // One environment: an export, named without the environment.
                let export = tap_core::refs::export_name(pname, id, attribute);
                add_output(&mut out[pi], &output, value, Some(&export), &consumer)?;
                if export != import {
                    let plain = Expr::ImportValue(Box::new(Expr::Str(export)));
                    out[ci]
                        .template
                        .replace_imports(&|n| (n == import).then(|| plain.clone()));
                }
            }
        }
    }
    Ok(())
}

/// The output a consumer reads, added once (an export only within one
/// environment; an output read from another environment needs none).
fn add_output(
    producer: &mut Synthesized,
    output: &str,
    value: Expr,
    export: Option<&str>,
    consumer: &str,
) -> Result<()> {
    let export = export.map(|e| Expr::Str(e.to_string()));
    if let Some(existing) = producer.template.outputs.get_mut(output) {
        if existing.value != value {
            bail!(
                "{} has an output `{output}`, the name tap gives the value {consumer} takes from it: rename the output",
                producer.id
            );
        }
        if existing.export_name.is_none() {
            existing.export_name = export;
        }
        return Ok(());
    }
    let description = match &value {
        Expr::Ref(id) => format!("{id}'s Ref, for the stacks that reference it"),
        Expr::GetAtt(id, att) => format!(
            "{id}'s {}, for the stacks that reference it",
            att.replace('.', "-")
        ),
        _ => "for the stacks that reference it".to_string(),
    };
    producer.template.outputs.insert(
        output.to_string(),
        Output {
            value,
            description: Some(description),
            export_name: export,
            condition: None,
        },
    );
    Ok(())
}

/// A KMS key or an S3 bucket used from another account: the IAM grant in
/// the consumer's account is not enough, the key policy or bucket policy
/// must let that account in, or every request is denied.
fn cross_account(
    producer: &Synthesized,
    id: &str,
    consumer_env: &Env,
    producer_env: &Env,
    consumer: &str,
) -> Result<()> {
    let (Some(theirs), Some(ours)) = (&consumer_env.account, &producer_env.account) else {
        return Ok(());
    };
    if theirs == ours {
        return Ok(());
    }
    let Some(resource) = producer.template.resources.get(id) else {
        return Ok(());
    };
    let names = |v: Option<&Expr>| v.is_some_and(|v| v.to_json().to_string().contains(theirs));
    match resource.resource_type.as_str() {
        "AWS::KMS::Key" if !names(resource.properties.get("KeyPolicy")) => bail!(
            "{consumer} (account {theirs}) uses the KMS key {id} of {} (account {ours}), and the key's policy does not name account {theirs}: KMS refuses another account's requests whatever its IAM policies say. Give the key `trusted_accounts: [\"{theirs}\"]`",
            producer.id
        ),
        "AWS::S3::Bucket" => {
            let policy = producer.template.resources.values().find(|r| {
                r.resource_type == "AWS::S3::BucketPolicy"
                    && r.properties.get("Bucket") == Some(&Expr::Ref(id.to_string()))
            });
            if !names(policy.and_then(|p| p.properties.get("PolicyDocument"))) {
                bail!(
                    "{consumer} (account {theirs}) uses the bucket {id} of {} (account {ours}), and the bucket's policy does not name account {theirs}: S3 refuses another account's requests whatever its IAM policies say. Give the bucket `allow: [[s3:GetObject, …] on bucket.objects to account(\"{theirs}\")]` with the actions {consumer} uses",
                    producer.id
                );
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::synth::synth_unpackaged;
    use tap_core::{Env, Stack};
    use tap_macros::stack;

    stack! {
        stack Data {
            key = kms::Key { description: "data" };
            records = s3::Bucket { encryption: kms(key) };
        }
    }

    stack! {
        stack SharedData {
            key = kms::Key { description: "data", trusted_accounts: ["222222222222"] };
            records = s3::Bucket {
                encryption: kms(key),
                allow: [s3:GetObject on records.objects to account("222222222222")],
            };
        }
    }

    stack! {
        stack Reader(records: s3::Bucket) {
            reader = iam::Role {
                assumed_by: service("lambda.amazonaws.com"),
                allow: [
                    s3:GetObject on records.objects,
                    kms:Decrypt on records.key,
                ],
            };
        }
    }

    fn us() -> Env {
        Env::new("us").account("111111111111").region("us-east-1")
    }
    fn eu() -> Env {
        Env::new("eu").account("111111111111").region("eu-west-1")
    }
    fn partner() -> Env {
        Env::new("partner")
            .account("222222222222")
            .region("us-east-1")
    }

    fn err(stacks: Vec<Stack>) -> String {
        synth_unpackaged(&stacks).expect_err("refused").to_string()
    }

    #[test]
    fn one_environment_keeps_exports_named_without_it() {
        let data = Data::new(DataProps::default()).expect("data").in_env(&us());
        let r = Reader::new(ReaderProps {
            records: data.records(),
        })
        .expect("reader")
        .in_env(&us());
        let out = synth_unpackaged(&[data.into(), r.into()]).expect("synth");
        assert_eq!(out[1].dependencies, ["us/Data"]);
        assert!(out[1].inputs.is_empty());
        let imports = out[1].template.imports();
        assert!(
            imports.iter().all(|i| i.starts_with("Data:")),
            "{imports:?}"
        );
        assert!(out[0]
            .template
            .outputs
            .values()
            .any(|o| o.export_name.is_some()));
    }

    #[test]
    fn another_region_takes_the_value_as_a_parameter_tap_fills_in() {
        let data = Data::new(DataProps::default()).expect("data").in_env(&us());
        let r = Reader::new(ReaderProps {
            records: data.records(),
        })
        .expect("reader")
        .in_env(&eu());
        let out = synth_unpackaged(&[data.into(), r.into()]).expect("synth");
        let consumer = &out[1];
        assert_eq!(consumer.id, "eu/Reader");
        assert_eq!(consumer.dependencies, ["us/Data"]);
        assert!(
            consumer.template.imports().is_empty(),
            "no Fn::ImportValue across regions"
        );
        assert!(!consumer.inputs.is_empty());
        for input in &consumer.inputs {
            assert_eq!(input.producer, "us/Data");
            assert!(consumer.template.parameters.contains_key(&input.parameter));
            let output = &out[0].template.outputs[&input.output];
            assert_eq!(
                output.export_name, None,
                "an export would be useless in another region"
            );
        }
        let json = consumer.template.to_json();
        assert!(
            json["Metadata"][super::INPUTS_METADATA].is_object(),
            "{json}"
        );
    }

    #[test]
    fn a_reference_with_one_side_unpinned_is_refused_with_the_fix() {
        let data = Data::new(DataProps::default()).expect("data").in_env(&us());
        let r = Reader::new(ReaderProps {
            records: data.records(),
        })
        .expect("reader");
        let e = err(vec![data.into(), r.into()]);
        assert!(e.starts_with("Reader has no environment and takes"), "{e}");
        assert!(e.contains("Pin Reader with `.in_env(&…)`"), "{e}");
        let data = Data::new(DataProps::default()).expect("data");
        let r = Reader::new(ReaderProps {
            records: data.records(),
        })
        .expect("reader")
        .in_env(&eu());
        let e = err(vec![data.into(), r.into()]);
        assert!(e.contains("Pin Data with `.in_env(&…)` as well"), "{e}");
    }

    #[test]
    fn a_key_and_bucket_used_from_another_account_need_their_policies_to_say_so() {
        let data = Data::new(DataProps::default()).expect("data").in_env(&us());
        let r = Reader::new(ReaderProps {
            records: data.records(),
        })
        .expect("reader")
        .in_env(&partner());
        let e = err(vec![data.into(), r.into()]);
        assert!(
            e.contains("partner/Reader (account 222222222222) uses the")
                && e.contains("of us/Data (account 111111111111)"),
            "{e}"
        );
        assert!(
            e.contains("trusted_accounts: [\"222222222222\"]")
                || e.contains("to account(\"222222222222\")"),
            "{e}"
        );
        let shared = SharedData::new(SharedDataProps::default())
            .expect("data")
            .in_env(&us());
        let r = Reader::new(ReaderProps {
            records: shared.records(),
        })
        .expect("reader")
        .in_env(&partner());
        synth_unpackaged(&[shared.into(), r.into()]).expect("both policies name the account");
    }

    #[test]
    fn a_stack_name_is_used_once_per_environment() {
        let a = Data::new(DataProps::default()).expect("data").in_env(&us());
        let b = Data::new(DataProps::default()).expect("data").in_env(&eu());
        let out = synth_unpackaged(&[a.clone().into(), b.into()]).expect("one per environment");
        assert_eq!(out[0].id, "us/Data");
        assert_eq!(out[1].id, "eu/Data");
        let e = err(vec![a.clone().into(), a.clone().into()]);
        assert!(e.starts_with("two stacks are named us/Data"), "{e}");
        // Two names for one account and region: one CloudFormation stack.
        let blue = Env::new("blue").account("111111111111").region("us-east-1");
        let b = Data::new(DataProps::default()).expect("data").in_env(&blue);
        let e = err(vec![a.into(), b.into()]);
        assert!(
            e.starts_with("us/Data and blue/Data are one CloudFormation stack"),
            "{e}"
        );
        let clash = Data::new(DataProps::default())
            .expect("data")
            .in_env(&Env::new("us").region("eu-west-2"));
        let b = Data::new(DataProps::default())
            .expect("data")
            .with_name("Other")
            .in_env(&us());
        let e = err(vec![b.into(), clash.into()]);
        assert!(e.contains("environment `us` is defined twice"), "{e}");
    }

    #[test]
    fn a_bad_environment_is_refused_before_anything_connects() {
        let data = Data::new(DataProps::default())
            .expect("data")
            .in_env(&Env::new("prod").account("12345"));
        let e = err(vec![data.into()]);
        assert!(
            e.contains("account `12345` is not an AWS account ID"),
            "{e}"
        );
    }
}
