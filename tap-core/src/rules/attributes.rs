//! The resource attributes CloudFormation reads as data, against the shapes
//! its documentation gives them: `CreationPolicy` and `UpdatePolicy`, whose
//! keys depend on the resource type, and in `Metadata` the blocks the
//! `cfn-init` helper script reads (`AWS::CloudFormation::Init`,
//! `AWS::CloudFormation::Authentication`). The rest of `Metadata` belongs to
//! whoever reads it (`AWS::CloudFormation::Designer`, `cfn-lint`, `checkov`).
//!
//! A value known only at deploy time (a reference, `${…}`, an `Fn::`
//! function) is not judged, and a quoted number or boolean stands for one, as
//! CloudFormation converts it: a check that refuses what CloudFormation
//! accepts is a bug in the check.

use crate::base::diag::{did_you_mean, Diagnostic, Diagnostics, Loc};
use crate::base::ir::{field, Field, Name, Value};
use crate::model::kind::duration_seconds;

/// Checks one resource attribute (`"CreationPolicy"`, `"UpdatePolicy"` or
/// `"Metadata"`) of a resource of a CloudFormation type
/// (`AWS::AutoScaling::AutoScalingGroup`). Other attributes are not this
/// module's.
pub fn check(attribute: &str, value: &Value, resource_type: &str, diags: &mut Diagnostics) {
    match attribute {
        "CreationPolicy" => policy(attribute, CREATION_POLICY, value, resource_type, diags),
        "UpdatePolicy" => policy(attribute, UPDATE_POLICY, value, resource_type, diags),
        "Metadata" => metadata(value, diags),
        _ => {}
    }
}

/// What a value must be.
enum Shape {
    /// Anything: the author's data.
    Any,
    /// `true` or `false`, quoted or not.
    Bool,
    /// A whole number within bounds, quoted or not.
    Int(i64, i64),
    /// A whole number of seconds, at most this many: a tap duration
    /// (`minutes(5)`) lowers to one.
    Seconds(i64),
    /// A string: any scalar, as CloudFormation converts numbers and booleans.
    Str,
    /// One of these strings; `true`: in any case.
    Enum(&'static [&'static str], bool),
    /// An ISO 8601 duration (`"PT15M"`), at most this long.
    Duration(&'static Limit),
    /// A file mode: octal digits.
    Mode,
    /// A list, each item of this shape.
    List(&'static Shape),
    /// One scalar or a list of them (a command, a package's versions).
    OneOrList,
    /// An object of names the author chooses, each value of this shape.
    Map(&'static Shape),
    /// An object of these keys.
    Object(&'static Obj),
}

struct Obj {
    keys: &'static [(&'static str, Shape)],
    required: &'static [&'static str],
}

/// The longest duration a key takes.
struct Limit {
    seconds: u64,
    iso: &'static str,
}

const TWELVE_HOURS: Limit = Limit {
    seconds: 12 * 3600,
    iso: "PT12H",
};
// Documented, and CloudFormation refuses more (`UpdatePolicy` docs; the
// coverage roadmap's issue #127 asks for longer).
const ONE_HOUR: Limit = Limit {
    seconds: 3600,
    iso: "PT1H",
};

const PERCENT: Shape = Shape::Int(0, 100);
const COUNT: Shape = Shape::Int(0, i64::MAX);

// ---------------------------------------------------------------- policies

const ASG: &str = "AWS::AutoScaling::AutoScalingGroup";
const INSTANCE: &str = "AWS::EC2::Instance";
const WAIT_CONDITION: &str = "AWS::CloudFormation::WaitCondition";
const FLEET: &str = "AWS::AppStream::Fleet";
const ALIAS: &str = "AWS::Lambda::Alias";
const ELASTICSEARCH: &str = "AWS::Elasticsearch::Domain";
const OPENSEARCH: &str = "AWS::OpenSearchService::Domain";
const REPLICATION_GROUP: &str = "AWS::ElastiCache::ReplicationGroup";

/// A key of a policy attribute: its shape, and the resource types that read it.
type PolicyKey = (&'static str, Shape, &'static [&'static str]);

const CREATION_POLICY: &[PolicyKey] = &[
    (
        "AutoScalingCreationPolicy",
        Shape::Object(&Obj {
            keys: &[("MinSuccessfulInstancesPercent", PERCENT)],
            required: &[],
        }),
        &[ASG],
    ),
    (
        "ResourceSignal",
        Shape::Object(&Obj {
            keys: &[
                ("Count", COUNT),
                ("Timeout", Shape::Duration(&TWELVE_HOURS)),
            ],
            required: &[],
        }),
        &[ASG, INSTANCE, WAIT_CONDITION],
    ),
    ("StartFleet", Shape::Bool, &[FLEET]),
];

/// The processes of `SuspendProcesses` (EC2 Auto Scaling's `SuspendProcesses` action).
const PROCESSES: &[&str] = &[
    "Launch",
    "Terminate",
    "AddToLoadBalancer",
    "AlarmNotification",
    "AZRebalance",
    "HealthCheck",
    "InstanceRefresh",
    "ReplaceUnhealthy",
    "ScheduledActions",
];

const ROLLING_UPDATE: Obj = Obj {
    keys: &[
        ("MaxBatchSize", COUNT),
        ("MinActiveInstancesPercent", PERCENT),
        ("MinInstancesInService", COUNT),
        ("MinSuccessfulInstancesPercent", PERCENT),
        ("PauseTime", Shape::Duration(&ONE_HOUR)),
        (
            "SuspendProcesses",
            Shape::List(&Shape::Enum(PROCESSES, false)),
        ),
        ("WaitOnResourceSignals", Shape::Bool),
    ],
    required: &[],
};

const INSTANCE_REFRESH: Obj = Obj {
    keys: &[
        (
            "Preferences",
            Shape::Object(&Obj {
                keys: &[
                    (
                        "AlarmSpecification",
                        Shape::Object(&Obj {
                            keys: &[("Alarms", Shape::List(&Shape::Str))],
                            required: &[],
                        }),
                    ),
                    ("BakeTime", Shape::Seconds(172_800)),
                    ("CheckpointDelay", Shape::Seconds(172_800)),
                    ("CheckpointPercentages", Shape::List(&PERCENT)),
                    ("InstanceWarmup", Shape::Seconds(i64::MAX)),
                    ("MaxHealthyPercentage", Shape::Int(100, 200)),
                    ("MinHealthyPercentage", PERCENT),
                    (
                        "ScaleInProtectedInstances",
                        Shape::Enum(&["Ignore", "Refresh", "Wait"], false),
                    ),
                    ("SkipMatching", Shape::Bool),
                    (
                        "StandbyInstances",
                        Shape::Enum(&["Ignore", "Terminate", "Wait"], false),
                    ),
                ],
                required: &[],
            }),
        ),
        (
            "Strategy",
            Shape::Enum(&["ReplaceRootVolume", "Rolling"], false),
        ),
    ],
    required: &["Strategy"],
};

const FLEET_UPDATE: Obj = Obj {
    keys: &[("Type", Shape::Bool)],
    required: &[],
};

const UPDATE_POLICY: &[PolicyKey] = &[
    (
        "AutoScalingInstanceRefresh",
        Shape::Object(&INSTANCE_REFRESH),
        &[ASG],
    ),
    (
        "AutoScalingReplacingUpdate",
        Shape::Object(&Obj {
            keys: &[("WillReplace", Shape::Bool)],
            required: &[],
        }),
        &[ASG],
    ),
    (
        "AutoScalingRollingUpdate",
        Shape::Object(&ROLLING_UPDATE),
        &[ASG],
    ),
    (
        "AutoScalingScheduledAction",
        Shape::Object(&Obj {
            keys: &[("IgnoreUnmodifiedGroupSizeProperties", Shape::Bool)],
            required: &[],
        }),
        &[ASG],
    ),
    (
        "CodeDeployLambdaAliasUpdate",
        Shape::Object(&Obj {
            keys: &[
                ("AfterAllowTrafficHook", Shape::Str),
                ("ApplicationName", Shape::Str),
                ("BeforeAllowTrafficHook", Shape::Str),
                ("DeploymentGroupName", Shape::Str),
            ],
            required: &["ApplicationName", "DeploymentGroupName"],
        }),
        &[ALIAS],
    ),
    (
        "EnableVersionUpgrade",
        Shape::Bool,
        &[ELASTICSEARCH, OPENSEARCH],
    ),
    ("UseOnlineResharding", Shape::Bool, &[REPLICATION_GROUP]),
    ("StartAfterUpdate", Shape::Object(&FLEET_UPDATE), &[FLEET]),
    ("StopBeforeUpdate", Shape::Object(&FLEET_UPDATE), &[FLEET]),
];

/// `CreationPolicy` or `UpdatePolicy`: read only on some resource types, each
/// of which takes some of its keys.
fn policy(
    attribute: &str,
    table: &[PolicyKey],
    v: &Value,
    resource_type: &str,
    diags: &mut Diagnostics,
) {
    let mut takes: Vec<&str> = table
        .iter()
        .flat_map(|(_, _, t)| t.iter().copied())
        .collect();
    takes.sort_unstable();
    takes.dedup();
    // CloudFormation ignores it elsewhere: the wait or the update the
    // author asked for never happens.
    if !takes.contains(&resource_type) {
        diags.push(
            Diagnostic::new(v.loc(), format!("`{resource_type}` takes no `{attribute}`")).help(
                format!(
                    "CloudFormation accepts it here and ignores it, so what it asks for never happens: it reads `{attribute}` only on {}",
                    ticked(&takes)
                ),
            ),
        );
        return;
    }
    if deploy_time(v) {
        return;
    }
    let Value::Object { fields, .. } = v else {
        diags.error(
            v.loc(),
            format!("`{attribute}` is an object, not {}", v.describe()),
        );
        return;
    };
    let here: Vec<&str> = table
        .iter()
        .filter(|(_, _, t)| t.contains(&resource_type))
        .map(|(k, _, _)| *k)
        .collect();
    for (i, f) in fields.iter().enumerate() {
        if twice(&fields[..i], &f.key, diags) {
            continue;
        }
        let key = f.key.text.as_str();
        let at = format!("{attribute}.{key}");
        match table.iter().find(|(k, _, _)| *k == key) {
            Some((_, shape, types)) if types.contains(&resource_type) => {
                value(&f.value, shape, &at, diags)
            }
            Some((_, _, types)) => diags.push(
                Diagnostic::new(
                    f.key.loc,
                    format!(
                        "`{at}` is read only on {}, not on `{resource_type}`",
                        ticked(types)
                    ),
                )
                .help(format!(
                    "`{attribute}` of `{resource_type}` takes {}",
                    ticked(&here)
                )),
            ),
            None => diags.push(unknown_key(attribute, &f.key, &here)),
        }
    }
    let refresh = fields
        .iter()
        .find(|f| f.key.text == "AutoScalingInstanceRefresh");
    let rolling = field(fields, "AutoScalingRollingUpdate");
    if let (Some(refresh), Some(_)) = (refresh, rolling) {
        diags.push(
            Diagnostic::new(
                refresh.key.loc,
                "`UpdatePolicy.AutoScalingInstanceRefresh` and `UpdatePolicy.AutoScalingRollingUpdate` exclude each other",
            )
            .help("keep one: an instance refresh replaces the instances in place of a rolling update"),
        );
    }
}

// ---------------------------------------------------------------- metadata

const INIT: &str = "AWS::CloudFormation::Init";
const AUTHENTICATION: &str = "AWS::CloudFormation::Authentication";
const CONFIG_SETS: &str = "configSets";

/// A config: the sections cfn-init processes, in this order.
const CONFIG: Obj = Obj {
    keys: &[
        ("packages", Shape::Object(&PACKAGES)),
        (
            "groups",
            Shape::Map(&Shape::Object(&Obj {
                keys: &[("gid", Shape::Str)],
                required: &[],
            })),
        ),
        (
            "users",
            Shape::Map(&Shape::Object(&Obj {
                keys: &[
                    ("groups", Shape::List(&Shape::Str)),
                    ("uid", Shape::Str),
                    ("homeDir", Shape::Str),
                ],
                required: &[],
            })),
        ),
        ("sources", Shape::Map(&Shape::Str)),
        ("files", Shape::Map(&Shape::Object(&FILE))),
        ("commands", Shape::Map(&Shape::Object(&COMMAND))),
        ("services", Shape::Object(&SERVICES)),
    ],
    required: &[],
};

/// Each package's version: a string, a list of them, or empty for the latest.
const VERSIONS: Shape = Shape::Map(&Shape::OneOrList);

// `zypper` is cfn-lint's addition to the documented six.
const PACKAGES: Obj = Obj {
    keys: &[
        ("apt", VERSIONS),
        ("msi", VERSIONS),
        ("python", VERSIONS),
        ("rpm", VERSIONS),
        ("rubygems", VERSIONS),
        ("yum", VERSIONS),
        ("zypper", VERSIONS),
    ],
    required: &[],
};

const FILE: Obj = Obj {
    keys: &[
        // A string, or JSON written to the file as JSON.
        ("content", Shape::Any),
        ("source", Shape::Str),
        ("encoding", Shape::Enum(&["plain", "base64"], false)),
        ("group", Shape::Str),
        ("owner", Shape::Str),
        ("mode", Shape::Mode),
        ("authentication", Shape::Str),
        // A Mustache context: any key-value map.
        ("context", Shape::Map(&Shape::Any)),
    ],
    required: &[],
};

const COMMAND: Obj = Obj {
    keys: &[
        ("command", Shape::OneOrList),
        ("env", Shape::Map(&Shape::Str)),
        ("cwd", Shape::Str),
        ("test", Shape::Str),
        ("ignoreErrors", Shape::Bool),
        // Seconds, or `"forever"`.
        ("waitAfterCompletion", Shape::Str),
    ],
    required: &["command"],
};

const SERVICE: Shape = Shape::Map(&Shape::Object(&Obj {
    keys: &[
        ("ensureRunning", Shape::Bool),
        ("enabled", Shape::Bool),
        ("files", Shape::List(&Shape::Str)),
        ("sources", Shape::List(&Shape::Str)),
        ("packages", Shape::Map(&Shape::List(&Shape::Str))),
        ("commands", Shape::List(&Shape::Str)),
    ],
    required: &[],
}));

const SERVICES: Obj = Obj {
    keys: &[
        ("sysvinit", SERVICE),
        ("windows", SERVICE),
        ("systemd", SERVICE),
    ],
    required: &[],
};

// `type` in any case: Elastic Beanstalk's own examples write `"s3"`.
const AUTH: Obj = Obj {
    keys: &[
        ("accessKeyId", Shape::Str),
        ("buckets", Shape::OneOrList),
        ("password", Shape::Str),
        ("secretKey", Shape::Str),
        ("type", Shape::Enum(&["S3", "basic"], true)),
        ("uris", Shape::OneOrList),
        ("username", Shape::Str),
        ("roleName", Shape::Str),
    ],
    required: &["type"],
};

fn metadata(v: &Value, diags: &mut Diagnostics) {
    if deploy_time(v) {
        return;
    }
    let fields = match v {
        Value::Object { fields, .. } => fields,
        // cfn-lint takes a list too; nothing in one is cfn-init's.
        Value::List { .. } => return,
        other => {
            diags.error(
                other.loc(),
                format!("`Metadata` is an object, not {}", other.describe()),
            );
            return;
        }
    };
    // Only names the resource defines can be checked; one defined at deploy
    // time may be any.
    let auth: Option<Vec<&str>> = match field(fields, AUTHENTICATION) {
        Some(Value::Object { fields: a, .. }) if !deploy_time_object(a) => {
            Some(a.iter().map(|f| f.key.text.as_str()).collect())
        }
        _ => None,
    };
    for (i, f) in fields.iter().enumerate() {
        if twice(&fields[..i], &f.key, diags) {
            continue;
        }
        let key = f.key.text.as_str();
        let at = key_path("Metadata", key);
        match key {
            INIT => init(&f.value, auth.as_deref(), &at, diags),
            AUTHENTICATION => value(&f.value, &Shape::Map(&Shape::Object(&AUTH)), &at, diags),
            // A near miss of cfn-init's keys is a block it never reads.
            _ => {
                if let Some(meant) = [INIT, AUTHENTICATION].into_iter().find(|k| near(key, k)) {
                    diags.push(
                        Diagnostic::new(f.key.loc, format!("cfn-init does not read `{at}`"))
                            .help(format!("did you mean `{meant}`?")),
                    );
                }
            }
        }
    }
}

/// `AWS::CloudFormation::Init`: `configSets` and configs.
fn init(v: &Value, auth: Option<&[&str]>, at: &str, diags: &mut Diagnostics) {
    if deploy_time(v) {
        return;
    }
    let Value::Object { fields, .. } = v else {
        diags.error(
            v.loc(),
            format!("`{at}` is an object of configs, not {}", v.describe()),
        );
        return;
    };
    let configs: Vec<&str> = fields
        .iter()
        .map(|f| f.key.text.as_str())
        .filter(|k| *k != CONFIG_SETS)
        .collect();
    for (i, f) in fields.iter().enumerate() {
        if twice(&fields[..i], &f.key, diags) {
            continue;
        }
        let key = f.key.text.as_str();
        let here = key_path(at, key);
        if key == CONFIG_SETS {
            config_sets(&f.value, &configs, &here, diags);
            continue;
        }
        // cfn-init's keys are case-sensitive: `configsets` would be a config
        // whose sections are the sets' names.
        if strsim::damerau_levenshtein(&key.to_ascii_lowercase(), "configsets") <= 1 {
            diags.push(
                Diagnostic::new(f.key.loc, format!("cfn-init does not read `{here}`"))
                    .help(format!("did you mean `{CONFIG_SETS}`?")),
            );
            continue;
        }
        value(&f.value, &Shape::Object(&CONFIG), &here, diags);
        files(&f.value, auth, &here, diags);
    }
}

/// `configSets`: each set lists config names and `{ ConfigSet: name }`s of
/// other sets, all of which exist, none including itself.
fn config_sets(v: &Value, configs: &[&str], at: &str, diags: &mut Diagnostics) {
    if deploy_time(v) {
        return;
    }
    let Value::Object { fields, .. } = v else {
        diags.error(
            v.loc(),
            format!("`{at}` is an object of configSets, not {}", v.describe()),
        );
        return;
    };
    let sets: Vec<&str> = fields.iter().map(|f| f.key.text.as_str()).collect();
    // (set, the set it includes, where)
    let mut includes: Vec<(&str, &str, Loc)> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if twice(&fields[..i], &f.key, diags) {
            continue;
        }
        let set = f.key.text.as_str();
        let here = key_path(at, set);
        let items: &[Value] = match &f.value {
            Value::List { items, .. } => items,
            // A lone name: the docs show lists, but nothing says cfn-init
            // refuses one.
            one @ (Value::Str { .. } | Value::Int { .. }) => std::slice::from_ref(one),
            other if deploy_time(other) => continue,
            other => {
                diags.error(
                    other.loc(),
                    format!(
                        "`{here}` is a list of config names, not {}",
                        other.describe()
                    ),
                );
                continue;
            }
        };
        for item in items {
            let name = match item {
                _ if deploy_time(item) => continue,
                Value::Str { text, .. } => text.clone(),
                // Configs may be named by numbers (`"1"`, `"2"` in AWS's example).
                Value::Int { value, .. } => value.to_string(),
                Value::Object { fields: o, loc, .. } => {
                    if let Some(to) = included_set(o, *loc, &sets, &here, diags) {
                        includes.push((set, to, *loc));
                    }
                    continue;
                }
                other => {
                    diags.error(
                        other.loc(),
                        format!(
                            "`{here}` lists config names and `{{ ConfigSet: … }}`, not {}",
                            other.describe()
                        ),
                    );
                    continue;
                }
            };
            if configs.contains(&name.as_str()) {
                continue;
            }
            let d = Diagnostic::new(
                item.loc(),
                format!("`{here}` names config `{name}`, which `{INIT}` does not define"),
            );
            diags.push(if sets.contains(&name.as_str()) {
                d.help(format!(
                    "`{name}` is a configSet: include it as `{{ ConfigSet: \"{name}\" }}`"
                ))
            } else {
                d.suggest(&name, configs.iter().copied())
            });
        }
    }
    // A set that includes itself never ends.
    for &(from, to, loc) in &includes {
        if reaches(to, from, &includes) {
            let how = if from == to {
                String::new()
            } else {
                format!(" through `{to}`")
            };
            diags.error(loc, format!("configSet `{from}` includes itself{how}"));
        }
    }
}

/// The set a `{ ConfigSet: name }` includes, when it names one of `sets`.
fn included_set<'a>(
    o: &[Field],
    loc: Loc,
    sets: &[&'a str],
    at: &str,
    diags: &mut Diagnostics,
) -> Option<&'a str> {
    let mut strays = false;
    for (i, g) in o.iter().enumerate() {
        if g.key.text != "ConfigSet" && !twice(&o[..i], &g.key, diags) {
            diags.push(unknown_key(&format!("{at}[…]"), &g.key, &["ConfigSet"]));
            strays = true;
        }
    }
    match field(o, "ConfigSet") {
        // A misspelt `ConfigSet`, said above.
        None if strays => None,
        None => {
            diags.push(
                Diagnostic::new(loc, format!("an include in `{at}` needs `ConfigSet`"))
                    .help("write `{ ConfigSet: \"name\" }`, or the config's name alone"),
            );
            None
        }
        Some(v) if deploy_time(v) => None,
        Some(Value::Str { text, loc }) => {
            let found = sets.iter().copied().find(|s| s == text);
            if found.is_none() {
                diags.push(
                    Diagnostic::new(
                        *loc,
                        format!("`{at}` includes configSet `{text}`, which `{CONFIG_SETS}` does not define"),
                    )
                    .suggest(text, sets.iter().copied()),
                );
            }
            found
        }
        Some(other) => {
            diags.error(
                other.loc(),
                format!("`ConfigSet` names a configSet, not {}", other.describe()),
            );
            None
        }
    }
}

/// Whether set `start` includes `goal`, directly or through others.
fn reaches(start: &str, goal: &str, includes: &[(&str, &str, Loc)]) -> bool {
    let mut seen = vec![start];
    let mut todo = vec![start];
    while let Some(s) = todo.pop() {
        if s == goal {
            return true;
        }
        for &(from, to, _) in includes {
            if from == s && !seen.contains(&to) {
                seen.push(to);
                todo.push(to);
            }
        }
    }
    false
}

/// A config's files, past each key's shape: written from `content` or from
/// `source`, and authenticated by a method the resource defines.
fn files(config: &Value, auth: Option<&[&str]>, at: &str, diags: &mut Diagnostics) {
    let Value::Object { fields, .. } = config else {
        return;
    };
    let Some(Value::Object { fields: files, .. }) = field(fields, "files") else {
        return;
    };
    let at = key_path(at, "files");
    for f in files {
        let Value::Object { fields: keys, .. } = &f.value else {
            continue;
        };
        let here = key_path(&at, &f.key.text);
        let source = keys.iter().find(|k| k.key.text == "source");
        if let (Some(_), Some(source)) = (field(keys, "content"), source) {
            diags.push(
                Diagnostic::new(
                    source.key.loc,
                    format!("`{here}` has both `content` and `source`"),
                )
                .help("a file is written from one: `content` inline, or `source` from a URL"),
            );
        }
        if let (Some(names), Some(Value::Str { text, loc })) = (auth, field(keys, "authentication"))
        {
            if !text.contains("${") && !names.contains(&text.as_str()) {
                diags.push(
                    Diagnostic::new(
                        *loc,
                        format!("`{here}.authentication` names `{text}`, which `{AUTHENTICATION}` does not define"),
                    )
                    .suggest(text, names.iter().copied()),
                );
            }
        }
    }
}

// ---------------------------------------------------------------- values

/// Known only when CloudFormation resolves it (a reference or a parameter, an
/// interpolated string or a dynamic reference, an intrinsic function as a
/// call or as its JSON object): its type is not judged.
fn deploy_time(v: &Value) -> bool {
    match v {
        Value::Path { .. } => true,
        Value::Str { text, .. } => text.contains("${") || text.contains("{{resolve:"),
        Value::Call { func, .. } => func.text.starts_with("Fn::") || func.text == "Ref",
        Value::Object { fields, .. } => deploy_time_object(fields),
        _ => false,
    }
}

/// `{ "Fn::If": … }`, `{ Ref: … }`: an intrinsic function written as JSON.
fn deploy_time_object(fields: &[Field]) -> bool {
    matches!(fields, [f] if f.key.text == "Ref" || f.key.text.starts_with("Fn::"))
}

/// A tap duration (`minutes(15)`): `Some(seconds)`, `Some(None)` when its
/// count is not a number as written.
fn tap_duration(v: &Value) -> Option<Option<i64>> {
    let Value::Call { func, args } = v else {
        return None;
    };
    duration_seconds(&func.text, 1)?;
    Some(match args.as_slice() {
        [Value::Int { value, .. }] => duration_seconds(&func.text, *value),
        _ => None,
    })
}

/// A whole number as written, quoted or not.
fn whole(v: &Value) -> Option<i64> {
    match v {
        Value::Int { value, .. } => Some(*value),
        Value::Str { text, .. } => text.parse().ok(),
        _ => None,
    }
}

fn value(v: &Value, shape: &Shape, at: &str, diags: &mut Diagnostics) {
    if deploy_time(v) {
        return;
    }
    // Another of tap's calls (`asset(…)`): what it stands for is the
    // lowering's to say.
    if matches!(v, Value::Call { .. }) && tap_duration(v).is_none() {
        return;
    }
    let ok = match shape {
        Shape::Any => true,
        Shape::Bool => match v {
            Value::Bool { .. } => true,
            Value::Str { text, .. } => {
                text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false")
            }
            _ => false,
        },
        Shape::Int(min, max) => match whole(v) {
            Some(n) => {
                bounds(n, *min, *max, "", v.loc(), at, diags);
                true
            }
            None => false,
        },
        Shape::Seconds(max) => match whole(v).map(Some).or_else(|| tap_duration(v)) {
            Some(Some(n)) => {
                bounds(n, 0, *max, " seconds", v.loc(), at, diags);
                true
            }
            Some(None) => true,
            None => false,
        },
        // A tap duration lowers to a number, which is converted too.
        Shape::Str => matches!(
            v,
            Value::Str { .. }
                | Value::Int { .. }
                | Value::Bool { .. }
                | Value::Float { .. }
                | Value::Call { .. }
        ),
        Shape::Enum(values, any_case) => match v {
            Value::Str { text, loc } => {
                let known = values
                    .iter()
                    .any(|x| x == text || (*any_case && x.eq_ignore_ascii_case(text)));
                if !known {
                    diags.push(
                        Diagnostic::new(
                            *loc,
                            format!("`{at}` is one of {}, not `\"{text}\"`", quoted(values)),
                        )
                        .suggest(text, values.iter().copied()),
                    );
                }
                true
            }
            _ => false,
        },
        Shape::Duration(limit) => {
            duration(v, limit, at, diags);
            true
        }
        Shape::Mode => mode(v, at, diags),
        Shape::List(item) => match v {
            Value::List { items, .. } => {
                for i in items {
                    value(i, item, at, diags);
                }
                true
            }
            _ => false,
        },
        Shape::OneOrList => match v {
            Value::List { items, .. } => {
                for i in items {
                    value(i, &Shape::Str, at, diags);
                }
                true
            }
            _ => matches!(
                v,
                Value::Str { .. } | Value::Int { .. } | Value::Bool { .. } | Value::Float { .. }
            ),
        },
        Shape::Map(each) => match v {
            Value::Object { fields, .. } => {
                for (i, f) in fields.iter().enumerate() {
                    if !twice(&fields[..i], &f.key, diags) {
                        value(&f.value, each, &key_path(at, &f.key.text), diags);
                    }
                }
                true
            }
            _ => false,
        },
        Shape::Object(obj) => match v {
            Value::Object { fields, loc, .. } => {
                object(fields, *loc, obj, at, diags);
                true
            }
            _ => false,
        },
    };
    if !ok {
        diags.error(
            v.loc(),
            format!("`{at}` is {}, not {}", expected(shape), v.describe()),
        );
    }
}

fn object(fields: &[Field], loc: Loc, obj: &Obj, at: &str, diags: &mut Diagnostics) {
    let names: Vec<&str> = obj.keys.iter().map(|(k, _)| *k).collect();
    for (i, f) in fields.iter().enumerate() {
        if twice(&fields[..i], &f.key, diags) {
            continue;
        }
        match obj.keys.iter().find(|(k, _)| *k == f.key.text) {
            Some((key, shape)) => value(&f.value, shape, &key_path(at, key), diags),
            None => diags.push(unknown_key(at, &f.key, &names)),
        }
    }
    let missing: Vec<&str> = obj
        .required
        .iter()
        .copied()
        .filter(|r| !fields.iter().any(|f| f.key.text == *r))
        .collect();
    if let Some(first) = missing.first() {
        diags.push(
            Diagnostic::new(loc, format!("`{at}` needs {}", ticked(&missing)))
                .help(format!("add `{first}: …`")),
        );
    }
}

/// `"PT15M"`: CloudFormation reads hours, minutes and seconds, and days; a
/// month or a year has no fixed length.
fn duration(v: &Value, limit: &Limit, at: &str, diags: &mut Diagnostics) {
    match v {
        Value::Str { text, loc } => match iso_seconds(text) {
            Ok(secs) => {
                #[allow(clippy::cast_precision_loss)] // limits are a few hours
                let max = limit.seconds as f64;
                if secs > max {
                    diags.error(
                        *loc,
                        format!("`{at}` is at most `\"{}\"`, not `\"{text}\"`", limit.iso),
                    );
                }
            }
            Err(why) => {
                let d = Diagnostic::new(
                    *loc,
                    format!("`{at}` is an ISO 8601 duration such as `\"PT15M\"`, not `\"{text}\"`"),
                );
                diags.push(match (why, plain_duration(text)) {
                    (NotIso::Months(Some(n)), _) => d.help(format!(
                        "`P{n}M` is {n} months; {n} minutes is `\"PT{n}M\"`"
                    )),
                    (NotIso::Months(None), _) => d.help(
                        "write days, hours, minutes and seconds: `\"P1DT2H\"`, `\"PT1H30M\"`",
                    ),
                    (NotIso::Malformed, Some(secs)) => d.help(format!("write `\"{}\"`", iso(secs))),
                    (NotIso::Malformed, None) => d.help(
                        "write `PT`, then hours, minutes and seconds: `\"PT1H30M\"`, `\"PT45S\"`",
                    ),
                });
            }
        },
        Value::Int { value, loc } => {
            let d = Diagnostic::new(
                *loc,
                format!("`{at}` is an ISO 8601 duration string, not the number {value}"),
            );
            diags.push(if *value >= 0 {
                d.help(format!("for {value} seconds, write `\"{}\"`", iso(*value)))
            } else {
                d
            });
        }
        Value::Call { func, .. } => {
            let d = Diagnostic::new(
                func.loc,
                format!(
                    "`{at}` is an ISO 8601 duration string; `{}(…)` is a number of seconds",
                    func.text
                ),
            );
            diags.push(match tap_duration(v).flatten() {
                Some(secs) if secs >= 0 => d.help(format!("write `\"{}\"`", iso(secs))),
                _ => d.help("write `\"PT…\"`: `\"PT15M\"`, `\"PT1H30M\"`"),
            });
        }
        other => diags.error(
            other.loc(),
            format!(
                "`{at}` is an ISO 8601 duration such as `\"PT15M\"`, not {}",
                other.describe()
            ),
        ),
    }
}

/// Why a text is not an ISO 8601 duration CloudFormation reads.
enum NotIso {
    /// Years, months or weeks; `Some(n)` for `PnM`, likely meant as minutes.
    Months(Option<u64>),
    Malformed,
}

/// The seconds of an ISO 8601 duration: `P[nD][T[nH][nM][n[.n]S]]`, in any
/// case, as Java's `Duration.parse` reads it.
fn iso_seconds(text: &str) -> Result<f64, NotIso> {
    let upper = text.to_ascii_uppercase();
    let rest = upper.strip_prefix('P').ok_or(NotIso::Malformed)?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let date = components(date).ok_or(NotIso::Malformed)?;
    let mut total = 0.0;
    for &(n, unit, fraction) in &date {
        match unit {
            'D' if !fraction => total += n * 86_400.0,
            'Y' | 'M' | 'W' => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // whole, small
                let minutes = match date.as_slice() {
                    [(n, 'M', false)] if *n < 1e9 => Some(*n as u64),
                    _ => None,
                };
                return Err(NotIso::Months(minutes));
            }
            _ => return Err(NotIso::Malformed),
        }
    }
    let time = match time {
        Some(t) => components(t)
            .filter(|c| !c.is_empty())
            .ok_or(NotIso::Malformed)?,
        None => Vec::new(),
    };
    if date.is_empty() && time.is_empty() {
        return Err(NotIso::Malformed);
    }
    let mut order = 0;
    for (n, unit, fraction) in time {
        let (rank, scale) = match unit {
            'H' if !fraction => (1, 3600.0),
            'M' if !fraction => (2, 60.0),
            'S' => (3, 1.0),
            _ => return Err(NotIso::Malformed),
        };
        if rank <= order {
            return Err(NotIso::Malformed);
        }
        order = rank;
        total += n * scale;
    }
    Ok(total)
}

/// `1H30M` → `[(1, 'H', false), (30, 'M', false)]`; `None`: not numbers each
/// followed by a letter.
fn components(s: &str) -> Option<Vec<(f64, char, bool)>> {
    let mut out = Vec::new();
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
        } else if c.is_ascii_uppercase() && !number.is_empty() {
            let fraction = number.contains('.');
            out.push((number.parse().ok()?, c, fraction));
            number.clear();
        } else {
            return None;
        }
    }
    number.is_empty().then_some(out)
}

/// `"15 minutes"`, `"15m"`, `"900"`: a duration as people write it, in seconds.
fn plain_duration(text: &str) -> Option<i64> {
    let t = text.trim().to_ascii_lowercase();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: i64 = t[..digits].parse().ok()?;
    let unit = match t[digits..].trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        _ => return None,
    };
    n.checked_mul(unit)
}

/// Seconds as an ISO 8601 duration: 5400 → `PT1H30M`.
fn iso(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

/// A file mode: cfn-init reads octal digits, the last three the permissions
/// and `120` before them a symlink. The docs ask for six digits, but nothing
/// says cfn-init refuses fewer, so fewer pass.
fn mode(v: &Value, at: &str, diags: &mut Diagnostics) -> bool {
    let digits = match v {
        Value::Str { text, .. } => text.clone(),
        Value::Int { value, .. } if *value >= 0 => value.to_string(),
        _ => return false,
    };
    if digits.is_empty() || digits.len() > 6 || !digits.chars().all(|c| ('0'..='7').contains(&c)) {
        diags.push(
            Diagnostic::new(
                v.loc(),
                format!(
                    "`{at}` is an octal file mode such as `\"000644\"`, not {}",
                    v.describe()
                ),
            )
            .help(
                "six octal digits: the last three the permissions, `120` before them for a symlink",
            ),
        );
    }
    true
}

fn bounds(n: i64, min: i64, max: i64, unit: &str, loc: Loc, at: &str, diags: &mut Diagnostics) {
    if n < min || n > max {
        let range = if max == i64::MAX {
            format!("at least {min}{unit}")
        } else {
            format!("from {min} to {max}{unit}")
        };
        diags.error(loc, format!("`{at}` is {range}, not {n}"));
    }
}

fn expected(shape: &Shape) -> String {
    match shape {
        Shape::Any => "any value".into(),
        Shape::Bool => "`true` or `false`".into(),
        Shape::Int(..) => "a whole number".into(),
        Shape::Seconds(..) => "a number of seconds".into(),
        Shape::Str => "a string".into(),
        Shape::Enum(values, _) => format!("one of {}", quoted(values)),
        Shape::Duration(_) => "an ISO 8601 duration such as `\"PT15M\"`".into(),
        Shape::Mode => "an octal file mode such as `\"000644\"`".into(),
        Shape::List(_) => "a list".into(),
        Shape::OneOrList => "a string or a list of strings".into(),
        Shape::Map(_) | Shape::Object(_) => "an object".into(),
    }
}

/// A key written twice: JSON keeps one of the two, silently.
fn twice(before: &[Field], key: &Name, diags: &mut Diagnostics) -> bool {
    let again = before.iter().any(|g| g.key.text == key.text);
    if again {
        diags.error(key.loc, format!("`{}` is set twice", key.text));
    }
    again
}

fn unknown_key(at: &str, key: &Name, names: &[&str]) -> Diagnostic {
    let d = Diagnostic::new(key.loc, format!("`{at}` has no key `{}`", key.text));
    match did_you_mean(&key.text, names.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("its keys are: {}", names.join(", "))),
    }
}

/// A near miss of a key cfn-init reads: case, or two slips.
fn near(key: &str, known: &str) -> bool {
    strsim::damerau_levenshtein(&key.to_ascii_lowercase(), &known.to_ascii_lowercase()) <= 2
}

/// `at.key`, a key other than a plain name quoted (`files."/etc/motd"`).
fn key_path(at: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{at}.{key}")
    } else {
        format!("{at}.\"{key}\"")
    }
}

fn ticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`\"{v}\"`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Loc = Loc(7);

    fn s(text: &str) -> Value {
        Value::Str {
            text: text.into(),
            loc: L,
        }
    }
    fn n(value: i64) -> Value {
        Value::Int { value, loc: L }
    }
    fn yes() -> Value {
        Value::Bool {
            value: true,
            loc: L,
        }
    }
    fn r(path: &str) -> Value {
        Value::Path {
            segments: path.split('.').map(|p| Name::new(p, L)).collect(),
        }
    }
    fn call(func: &str, args: Vec<Value>) -> Value {
        Value::Call {
            func: Name::new(func, L),
            args,
        }
    }
    fn list(items: Vec<Value>) -> Value {
        Value::List { items, loc: L }
    }
    fn obj(fields: Vec<(&str, Value)>) -> Value {
        Value::Object {
            tag: None,
            fields: fields
                .into_iter()
                .map(|(k, value)| Field {
                    key: Name::new(k, L),
                    value,
                })
                .collect(),
            loc: L,
        }
    }

    /// Every finding, with its help, as the user reads it.
    fn run(attribute: &str, v: Value, resource_type: &str) -> Vec<String> {
        let mut diags = Diagnostics::default();
        check(attribute, &v, resource_type, &mut diags);
        diags.into_vec().iter().map(|d| d.to_string()).collect()
    }

    fn clean(attribute: &str, v: Value, resource_type: &str) {
        let found = run(attribute, v, resource_type);
        assert!(found.is_empty(), "{found:#?}");
    }

    /// Exactly one finding, which says all of `says`.
    fn one(attribute: &str, v: Value, resource_type: &str, says: &[&str]) {
        let found = run(attribute, v, resource_type);
        assert_eq!(found.len(), 1, "{found:#?}");
        for s in says {
            assert!(found[0].contains(s), "{:?} does not say {s:?}", found[0]);
        }
    }

    fn init(config: Value) -> Value {
        obj(vec![(INIT, config)])
    }

    // AWS's sample `AutoScaling/AutoScalingRollingUpdates.yaml`, and the
    // attribute docs' own examples (quoted numbers and booleans).
    #[test]
    fn auto_scaling_group_samples_pass() {
        clean(
            "CreationPolicy",
            obj(vec![(
                "ResourceSignal",
                obj(vec![("Timeout", s("PT15M")), ("Count", n(2))]),
            )]),
            ASG,
        );
        clean(
            "UpdatePolicy",
            obj(vec![(
                "AutoScalingRollingUpdate",
                obj(vec![
                    ("MaxBatchSize", n(1)),
                    ("MinInstancesInService", n(1)),
                    ("PauseTime", s("PT15M")),
                    ("WaitOnResourceSignals", yes()),
                    (
                        "SuspendProcesses",
                        list(vec![
                            s("HealthCheck"),
                            s("ReplaceUnhealthy"),
                            s("AZRebalance"),
                        ]),
                    ),
                ]),
            )]),
            ASG,
        );
        clean(
            "UpdatePolicy",
            obj(vec![
                (
                    "AutoScalingScheduledAction",
                    obj(vec![("IgnoreUnmodifiedGroupSizeProperties", s("true"))]),
                ),
                (
                    "AutoScalingRollingUpdate",
                    obj(vec![
                        ("MinInstancesInService", s("1")),
                        ("MaxBatchSize", s("2")),
                        ("WaitOnResourceSignals", s("true")),
                        ("PauseTime", s("PT10M")),
                    ]),
                ),
            ]),
            ASG,
        );
        clean(
            "UpdatePolicy",
            obj(vec![(
                "AutoScalingReplacingUpdate",
                obj(vec![("WillReplace", s("true"))]),
            )]),
            ASG,
        );
        clean(
            "CreationPolicy",
            obj(vec![
                (
                    "ResourceSignal",
                    obj(vec![
                        ("Count", r("ResourceSignalsOnCreate")),
                        ("Timeout", s("PT10M")),
                    ]),
                ),
                (
                    "AutoScalingCreationPolicy",
                    obj(vec![(
                        "MinSuccessfulInstancesPercent",
                        r("MinSuccessfulPercentParameter"),
                    )]),
                ),
            ]),
            ASG,
        );
        clean(
            "UpdatePolicy",
            obj(vec![(
                "AutoScalingInstanceRefresh",
                obj(vec![
                    ("Strategy", s("Rolling")),
                    (
                        "Preferences",
                        obj(vec![
                            ("MinHealthyPercentage", n(90)),
                            ("InstanceWarmup", call("minutes", vec![n(5)])),
                            ("SkipMatching", yes()),
                        ]),
                    ),
                ]),
            )]),
            ASG,
        );
    }

    #[test]
    fn other_types_take_their_own_keys() {
        clean(
            "CreationPolicy",
            obj(vec![(
                "ResourceSignal",
                obj(vec![("Timeout", s("PT15M")), ("Count", s("5"))]),
            )]),
            WAIT_CONDITION,
        );
        clean("CreationPolicy", obj(vec![("StartFleet", yes())]), FLEET);
        clean(
            "UpdatePolicy",
            obj(vec![(
                "CodeDeployLambdaAliasUpdate",
                obj(vec![
                    ("ApplicationName", r("CodeDeployApplication")),
                    ("DeploymentGroupName", r("CodeDeployDeploymentGroup")),
                    ("BeforeAllowTrafficHook", r("PreHookLambdaFunction")),
                ]),
            )]),
            ALIAS,
        );
        clean(
            "UpdatePolicy",
            obj(vec![("EnableVersionUpgrade", yes())]),
            OPENSEARCH,
        );
        clean(
            "UpdatePolicy",
            obj(vec![("UseOnlineResharding", yes())]),
            REPLICATION_GROUP,
        );
        // Chosen at deploy time: not judged.
        clean(
            "UpdatePolicy",
            call("Fn::If", vec![r("IsProd"), obj(vec![]), r("AWS::NoValue")]),
            ASG,
        );
    }

    // The Authentication docs' web server, with the cfn-init docs' commands.
    #[test]
    fn instance_with_cfn_init_passes() {
        let metadata = obj(vec![
            (
                INIT,
                obj(vec![(
                    "config",
                    obj(vec![
                        (
                            "packages",
                            obj(vec![("yum", obj(vec![("httpd", list(vec![]))]))]),
                        ),
                        (
                            "files",
                            obj(vec![(
                                "/var/www/html/index.html",
                                obj(vec![
                                    (
                                        "source",
                                        call(
                                            "Fn::Join",
                                            vec![
                                                s(""),
                                                list(vec![
                                                    s("http://s3.amazonaws.com/"),
                                                    r("BucketName"),
                                                ]),
                                            ],
                                        ),
                                    ),
                                    ("mode", s("000400")),
                                    ("owner", s("apache")),
                                    ("group", s("apache")),
                                    ("authentication", s("S3AccessCreds")),
                                ]),
                            )]),
                        ),
                        (
                            "commands",
                            obj(vec![(
                                "test",
                                obj(vec![
                                    ("command", s("echo \"$MAGIC\" > test.txt")),
                                    (
                                        "env",
                                        obj(vec![("MAGIC", s("I come from the environment!"))]),
                                    ),
                                    ("cwd", s("~")),
                                    ("test", s("test ! -e ~/test.txt")),
                                    ("ignoreErrors", s("false")),
                                ]),
                            )]),
                        ),
                        (
                            "services",
                            obj(vec![(
                                "sysvinit",
                                obj(vec![(
                                    "httpd",
                                    obj(vec![("enabled", s("true")), ("ensureRunning", s("true"))]),
                                )]),
                            )]),
                        ),
                    ]),
                )]),
            ),
            (
                AUTHENTICATION,
                obj(vec![(
                    "S3AccessCreds",
                    obj(vec![
                        ("type", s("S3")),
                        ("accessKeyId", r("CfnKeys")),
                        ("secretKey", r("CfnKeys.SecretAccessKey")),
                    ]),
                )]),
            ),
            (
                "AWS::CloudFormation::Designer",
                obj(vec![("id", s("9f1b"))]),
            ),
            ("Comment", s("Install a simple PHP application")),
        ]);
        clean("Metadata", metadata, INSTANCE);
        clean(
            "CreationPolicy",
            obj(vec![("ResourceSignal", obj(vec![("Timeout", s("PT5M"))]))]),
            INSTANCE,
        );
    }

    // `AutoScalingRollingUpdates.yaml`'s launch configuration, and the docs'
    // configSets that include each other.
    #[test]
    fn config_sets_pass() {
        let hup = obj(vec![
            ("content", s("[main]\nstack=${AWS::StackId}\n")),
            ("mode", s("000400")),
            ("owner", s("root")),
            ("group", s("root")),
        ]);
        let metadata = init(obj(vec![
            (
                CONFIG_SETS,
                obj(vec![(
                    "full_install",
                    list(vec![
                        s("install_cfn"),
                        s("install_app"),
                        s("verify_instance_health"),
                    ]),
                )]),
            ),
            (
                "install_cfn",
                obj(vec![
                    ("files", obj(vec![("/etc/cfn/cfn-hup.conf", hup)])),
                    (
                        "services",
                        obj(vec![(
                            "sysvinit",
                            obj(vec![(
                                "cfn-hup",
                                obj(vec![
                                    ("enabled", s("true")),
                                    ("ensureRunning", s("true")),
                                    ("files", list(vec![s("/etc/cfn/cfn-hup.conf")])),
                                ]),
                            )]),
                        )]),
                    ),
                ]),
            ),
            (
                "install_app",
                obj(vec![
                    (
                        "packages",
                        obj(vec![("yum", obj(vec![("httpd", list(vec![]))]))]),
                    ),
                    (
                        "files",
                        obj(vec![(
                            "/var/www/html/index.html",
                            obj(vec![
                                (
                                    "content",
                                    call("Fn::Join", vec![s(""), list(vec![s("<h1>Hi</h1>")])]),
                                ),
                                ("mode", s("000644")),
                            ]),
                        )]),
                    ),
                ]),
            ),
            (
                "verify_instance_health",
                obj(vec![(
                    "commands",
                    obj(vec![(
                        "ELBHealthCheck",
                        obj(vec![(
                            "command",
                            s("until [ \"$state\" ]; do sleep 10; done # ${AWS::Region}"),
                        )]),
                    )]),
                )]),
            ),
        ]));
        clean(
            "Metadata",
            metadata,
            "AWS::AutoScaling::LaunchConfiguration",
        );

        let echo = |text: &str| {
            obj(vec![(
                "commands",
                obj(vec![(
                    "test",
                    obj(vec![
                        ("command", list(vec![s("echo"), s(text)])),
                        ("cwd", s("~")),
                    ]),
                )]),
            )])
        };
        let metadata = init(obj(vec![
            (
                CONFIG_SETS,
                obj(vec![
                    ("test1", list(vec![s("1")])),
                    (
                        "test2",
                        list(vec![obj(vec![("ConfigSet", s("test1"))]), s("2")]),
                    ),
                    ("default", list(vec![obj(vec![("ConfigSet", s("test2"))])])),
                ]),
            ),
            ("1", echo("one")),
            ("2", echo("two")),
        ]));
        clean("Metadata", metadata, INSTANCE);
    }

    #[test]
    fn misspelt_key_suggests_the_key() {
        one(
            "CreationPolicy",
            obj(vec![("ResourceSignal", obj(vec![("Timout", s("PT15M"))]))]),
            ASG,
            &[
                "`CreationPolicy.ResourceSignal` has no key `Timout`",
                "did you mean `Timeout`?",
            ],
        );
        one(
            "UpdatePolicy",
            obj(vec![("AutoScalingRolingUpdate", obj(vec![]))]),
            ASG,
            &[
                "`UpdatePolicy` has no key `AutoScalingRolingUpdate`",
                "did you mean `AutoScalingRollingUpdate`?",
            ],
        );
        one(
            "Metadata",
            init(obj(vec![("config", obj(vec![("file", obj(vec![]))]))])),
            INSTANCE,
            &["has no key `file`", "did you mean `files`?"],
        );
        one(
            "Metadata",
            obj(vec![("AWS::CloudFormation::init", obj(vec![]))]),
            INSTANCE,
            &[
                "cfn-init does not read",
                "did you mean `AWS::CloudFormation::Init`?",
            ],
        );
    }

    #[test]
    fn timeout_is_an_iso_duration() {
        let signal =
            |timeout: Value| obj(vec![("ResourceSignal", obj(vec![("Timeout", timeout)]))]);
        one(
            "CreationPolicy",
            signal(s("15 minutes")),
            ASG,
            &[
                "`CreationPolicy.ResourceSignal.Timeout` is an ISO 8601 duration",
                "write `\"PT15M\"`",
            ],
        );
        one(
            "CreationPolicy",
            signal(s("P15M")),
            ASG,
            &["15 minutes is `\"PT15M\"`"],
        );
        one(
            "CreationPolicy",
            signal(n(900)),
            ASG,
            &["write `\"PT15M\"`"],
        );
        one(
            "CreationPolicy",
            signal(call("minutes", vec![n(90)])),
            ASG,
            &["write `\"PT1H30M\"`"],
        );
        one(
            "CreationPolicy",
            signal(s("PT13H")),
            ASG,
            &["at most `\"PT12H\"`"],
        );
        for ok in [
            "PT12H",
            "PT1H30M",
            "PT45S",
            "PT0.5S",
            "pt5m",
            "P0DT2H",
            "${Timeout}",
        ] {
            clean("CreationPolicy", signal(s(ok)), ASG);
        }
        for bad in ["PT", "P", "PT5M1H", "PT1.5H", "15M", ""] {
            assert_eq!(run("CreationPolicy", signal(s(bad)), ASG).len(), 1, "{bad}");
        }
        let pause = obj(vec![(
            "AutoScalingRollingUpdate",
            obj(vec![("PauseTime", s("PT2H"))]),
        )]);
        one("UpdatePolicy", pause, ASG, &["at most `\"PT1H\"`"]);
    }

    #[test]
    fn config_set_names_a_config_that_exists() {
        let metadata = |set: Value| {
            init(obj(vec![
                (CONFIG_SETS, obj(vec![("ascending", set)])),
                ("config1", obj(vec![])),
                ("config2", obj(vec![])),
            ]))
        };
        one(
            "Metadata",
            metadata(list(vec![s("config1"), s("config3")])),
            INSTANCE,
            &[
                "names config `config3`, which `AWS::CloudFormation::Init` does not define",
                "did you mean",
            ],
        );
        one(
            "Metadata",
            metadata(list(vec![obj(vec![("ConfigSet", s("descending"))])])),
            INSTANCE,
            &["includes configSet `descending`"],
        );
        one(
            "Metadata",
            metadata(list(vec![s("ascending")])),
            INSTANCE,
            &["`ascending` is a configSet: include it as `{ ConfigSet: \"ascending\" }`"],
        );
        let looped = init(obj(vec![(
            CONFIG_SETS,
            obj(vec![
                ("a", list(vec![obj(vec![("ConfigSet", s("b"))])])),
                ("b", list(vec![obj(vec![("ConfigSet", s("a"))])])),
            ]),
        )]));
        let found = run("Metadata", looped, INSTANCE);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("configSet `a` includes itself through `b`"));
    }

    #[test]
    fn policies_only_on_the_types_that_read_them() {
        one(
            "CreationPolicy",
            obj(vec![("ResourceSignal", obj(vec![("Timeout", s("PT15M"))]))]),
            "AWS::S3::Bucket",
            &[
                "`AWS::S3::Bucket` takes no `CreationPolicy`",
                "`AWS::EC2::Instance`",
            ],
        );
        one(
            "UpdatePolicy",
            obj(vec![("UseOnlineResharding", yes())]),
            "Custom::Thing",
            &["takes no `UpdatePolicy`"],
        );
        one(
            "CreationPolicy",
            obj(vec![(
                "AutoScalingCreationPolicy",
                obj(vec![("MinSuccessfulInstancesPercent", n(50))]),
            )]),
            INSTANCE,
            &[
                "read only on `AWS::AutoScaling::AutoScalingGroup`, not on `AWS::EC2::Instance`",
                "takes `ResourceSignal`",
            ],
        );
    }

    #[test]
    fn values_within_their_shapes() {
        let rolling =
            |key: &str, v: Value| obj(vec![("AutoScalingRollingUpdate", obj(vec![(key, v)]))]);
        one(
            "UpdatePolicy",
            rolling("MinSuccessfulInstancesPercent", n(150)),
            ASG,
            &["from 0 to 100, not 150"],
        );
        one(
            "UpdatePolicy",
            rolling("MaxBatchSize", s("two")),
            ASG,
            &["is a whole number, not \"two\""],
        );
        one(
            "UpdatePolicy",
            rolling("WaitOnResourceSignals", s("yes")),
            ASG,
            &["`true` or `false`"],
        );
        one(
            "UpdatePolicy",
            rolling("SuspendProcesses", list(vec![s("Lanch")])),
            ASG,
            &["not `\"Lanch\"`", "did you mean `Launch`?"],
        );
        one(
            "UpdatePolicy",
            obj(vec![
                (
                    "AutoScalingInstanceRefresh",
                    obj(vec![("Strategy", s("Rolling"))]),
                ),
                ("AutoScalingRollingUpdate", obj(vec![])),
            ]),
            ASG,
            &["exclude each other"],
        );
        one(
            "UpdatePolicy",
            obj(vec![(
                "CodeDeployLambdaAliasUpdate",
                obj(vec![("ApplicationName", s("app"))]),
            )]),
            ALIAS,
            &["needs `DeploymentGroupName`"],
        );
    }

    #[test]
    fn cfn_init_mistakes() {
        let file = |keys: Vec<(&str, Value)>| {
            init(obj(vec![(
                "config",
                obj(vec![("files", obj(vec![("/etc/motd", obj(keys))]))]),
            )]))
        };
        one(
            "Metadata",
            file(vec![("mode", s("0755x"))]),
            INSTANCE,
            &["octal file mode"],
        );
        one(
            "Metadata",
            file(vec![("encoding", s("utf8"))]),
            INSTANCE,
            &["`\"plain\"`, `\"base64\"`"],
        );
        one(
            "Metadata",
            file(vec![
                ("content", s("hi")),
                ("source", s("https://example.com/motd")),
            ]),
            INSTANCE,
            &["both `content` and `source`"],
        );
        clean(
            "Metadata",
            file(vec![
                ("mode", n(644)),
                ("context", obj(vec![("name", s("x"))])),
            ]),
            INSTANCE,
        );
        one(
            "Metadata",
            init(obj(vec![(
                "config",
                obj(vec![(
                    "commands",
                    obj(vec![("01_setup", obj(vec![("cwd", s("/opt"))]))]),
                )]),
            )])),
            INSTANCE,
            &["`Metadata.\"AWS::CloudFormation::Init\".config.commands.01_setup` needs `command`"],
        );
        one(
            "Metadata",
            init(obj(vec![(
                "config",
                obj(vec![("services", obj(vec![("upstart", obj(vec![]))]))]),
            )])),
            INSTANCE,
            &["has no key `upstart`", "sysvinit"],
        );
        one(
            "Metadata",
            init(obj(vec![
                ("configsets", obj(vec![])),
                ("config", obj(vec![])),
            ])),
            INSTANCE,
            &["did you mean `configSets`?"],
        );
        let metadata = obj(vec![
            (
                INIT,
                obj(vec![(
                    "config",
                    obj(vec![(
                        "files",
                        obj(vec![(
                            "/app.zip",
                            obj(vec![
                                ("source", s("https://b.s3.amazonaws.com/app.zip")),
                                ("authentication", s("S3Acces")),
                            ]),
                        )]),
                    )]),
                )]),
            ),
            (
                AUTHENTICATION,
                obj(vec![(
                    "S3Access",
                    obj(vec![
                        ("type", s("s3")),
                        ("buckets", list(vec![s("b")])),
                        ("roleName", r("Role")),
                    ]),
                )]),
            ),
        ]);
        one(
            "Metadata",
            metadata,
            INSTANCE,
            &["names `S3Acces`", "did you mean `S3Access`?"],
        );
        one(
            "Metadata",
            obj(vec![(
                AUTHENTICATION,
                obj(vec![("basic", obj(vec![("type", s("digest"))]))]),
            )]),
            INSTANCE,
            &["`\"S3\"`, `\"basic\"`"],
        );
    }
}
