//! A template's JSON as `stack!` source text. Each value is first a [`Node`]
//! (what it is in the DSL), then laid out: short lists, objects and calls on
//! one line, longer ones one element a line.

use super::Unsupported;
use serde_json::{Map, Number, Value};
use tap_core::base::naming::logical_id;
use tap_core::template::{sub_pieces, SubPiece};

/// Lists, objects and calls whose one-line form is longer are broken into lines.
const WIDTH: usize = 80;
const INDENT: &str = "    ";

/// The functions whose JSON argument is the list of their arguments: in the
/// DSL the list is spread, `Fn::Join(",", [a, b])`.
const LIST_ARGS: &[&str] = &[
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::Equals",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::Cidr",
    "Fn::FindInMap",
    "Fn::If",
    "Fn::Sub",
    // The rule functions (`Rules`).
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// The functions that take one argument as it is, list or not.
const ONE_ARG: &[&str] = &[
    "Fn::Base64",
    "Fn::GetAZs",
    "Fn::ImportValue",
    "Fn::GetStackOutput",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::RefAll",
    "Fn::Transform",
];

/// Resource attributes, in the order they are written after the properties.
const ATTRIBUTES: [&str; 7] = [
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
];

const EXPAND_TRANSFORM: &str = "expand the transform first: migrate the deployed stack's processed template, `aws cloudformation get-template --template-stage Processed`";

/// A value as the DSL writes it.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A literal, a name or a reference: written as it is.
    Atom(String),
    List(Vec<Node>),
    /// Keys already written as the DSL takes them (bare or quoted).
    Object(Vec<(String, Node)>),
    Call(String, Vec<Node>),
}

impl Node {
    fn inline(&self) -> String {
        match self {
            Node::Atom(s) => s.clone(),
            Node::List(items) => format!("[{}]", inline_all(items)),
            Node::Object(fields) if fields.is_empty() => "{}".to_string(),
            Node::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.inline()))
                    .collect();
                format!("{{ {} }}", fields.join(", "))
            }
            Node::Call(name, args) => format!("{name}({})", inline_all(args)),
        }
    }

    /// The node where a line indented `level` times has reached it: what it
    /// breaks into lines closes at that indentation.
    fn render(&self, level: usize) -> String {
        let inline = self.inline();
        if inline.chars().count() <= WIDTH {
            return inline;
        }
        self.broken(level)
    }

    /// Whether breaking the node into lines shortens its first line.
    fn breaks(&self) -> bool {
        match self {
            Node::Atom(_) => false,
            Node::List(items) => !items.is_empty(),
            Node::Object(fields) => !fields.is_empty(),
            Node::Call(_, args) => args.len() > 1 || args.iter().any(Node::breaks),
        }
    }

    /// The node one element a line, however short.
    fn broken(&self, level: usize) -> String {
        let pad = INDENT.repeat(level);
        let inner = INDENT.repeat(level + 1);
        let lines = |open: &str, close: &str, items: Vec<String>| {
            let mut out = format!("{open}\n");
            for item in items {
                out.push_str(&format!("{inner}{item},\n"));
            }
            out.push_str(&format!("{pad}{close}"));
            out
        };
        match self {
            Node::List(items) if !items.is_empty() => lines(
                "[",
                "]",
                items.iter().map(|i| i.render(level + 1)).collect(),
            ),
            Node::Object(fields) if !fields.is_empty() => lines(
                "{",
                "}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.render(level + 1)))
                    .collect(),
            ),
            Node::Call(name, args) if self.breaks() => {
                // `Fn::Join("", [` … `])`: a call whose last argument breaks
                // into lines keeps the others on its first line.
                if let Some((last, head)) = args.split_last() {
                    let head = inline_all(head);
                    if last.breaks() && head.chars().count() <= WIDTH {
                        let sep = if head.is_empty() { "" } else { ", " };
                        return format!("{name}({head}{sep}{})", last.broken(level));
                    }
                }
                lines(
                    &format!("{name}("),
                    ")",
                    args.iter().map(|a| a.render(level + 1)).collect(),
                )
            }
            _ => self.inline(),
        }
    }
}

fn inline_all(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(Node::inline)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a value stands: a bare name means `{"Condition": …}` only among
/// the arguments of `Fn::And`, `Fn::Or` and `Fn::Not`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Value,
    ConditionArg,
}

#[derive(Default)]
struct Writer {
    unsupported: Vec<Unsupported>,
    /// The template's parameters and resources: what a `${…}` may name.
    names: Vec<String>,
}

/// The source of a stack `name` for the template `t`, and what it does not reproduce.
pub(super) fn stack(t: &Map<String, Value>, name: &str) -> (String, Vec<Unsupported>) {
    let mut w = Writer {
        names: ["Parameters", "Resources"]
            .iter()
            .filter_map(|section| t.get(*section).and_then(Value::as_object))
            .flat_map(|entries| entries.keys().cloned())
            .collect(),
        ..Writer::default()
    };
    let mut doc = Vec::new();
    let mut settings = Vec::new();
    // Parameters, mappings, conditions, rules, resources, outputs.
    let mut groups: [Vec<String>; 6] = Default::default();
    for (key, value) in t {
        match key.as_str() {
            // tap writes the version itself.
            "AWSTemplateFormatVersion" => {}
            // A description a doc comment would change (trimmed, its lines
            // joined) is the `description` setting, kept exactly.
            "Description" => match value {
                Value::String(text)
                    if !text.trim().is_empty()
                        && (text.trim() != text || text.contains(['\n', '\r'])) =>
                {
                    settings.push(format!("description: {};", literal(text)));
                }
                _ => doc = w.description(value),
            },
            "Transform" => {
                if let Some(node) = w.value(value, "Transform", Ctx::Value) {
                    settings.push(format!("transform: {};", node.render(0)));
                }
                // AWS::LanguageExtensions' loops are expanded here and its
                // functions checked; SAM's and a macro's input is not
                // CloudFormation's, so its resources are not judged by the schema.
                let names: Vec<&str> = match value {
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                    other => other.as_str().into_iter().collect(),
                };
                let expanding: Vec<&str> = names
                    .into_iter()
                    .filter(|n| *n != "AWS::LanguageExtensions")
                    .collect();
                if !expanding.is_empty() {
                    w.report("Transform", format!("{} rewrites the template after tap checks it: tap checks the references in what it reads, not its resources' properties; for those, {EXPAND_TRANSFORM}", expanding.join(", ")));
                }
            }
            "Metadata" => {
                if let Some(node) = w.value(value, "Metadata", Ctx::Value) {
                    settings.push(format!("metadata: {};", node.render(0)));
                }
            }
            "Globals" => {
                if let Some(node) = w.value(value, "Globals", Ctx::Value) {
                    settings.push(format!("globals: {};", node.render(0)));
                }
            }
            "Parameters" => w.entries(
                value,
                key,
                |w, name, v, path| w.object_entry("parameter", name, v, path),
                &mut groups[0],
            ),
            "Mappings" => w.entries(
                value,
                key,
                |w, name, v, path| w.object_entry("mapping", name, v, path),
                &mut groups[1],
            ),
            "Conditions" => w.entries(value, key, Writer::condition, &mut groups[2]),
            "Rules" => w.entries(
                value,
                key,
                |w, name, v, path| w.object_entry("rule", name, v, path),
                &mut groups[3],
            ),
            "Resources" => w.entries(value, key, Writer::resource, &mut groups[4]),
            "Outputs" => w.entries(value, key, Writer::output, &mut groups[5]),
            _ => w.report(key, "not a template section tap writes: left out"),
        }
    }
    let mut body: Vec<String> = Vec::new();
    if !settings.is_empty() {
        body.push(settings.join("\n"));
    }
    for group in groups.iter().filter(|g| !g.is_empty()) {
        // Entries of several lines each read better apart.
        let sep = if group.iter().any(|e| e.contains('\n')) {
            "\n\n"
        } else {
            "\n"
        };
        body.push(group.join(sep));
    }
    let item_pad = INDENT.repeat(2);
    let body: Vec<String> = body
        .iter()
        .map(|block| {
            block
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        String::new()
                    } else {
                        format!("{item_pad}{l}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let mut out = String::from("use tap_macros::stack;\n\nstack! {\n");
    for line in doc {
        out.push_str(&format!("{INDENT}{line}\n"));
    }
    out.push_str(&format!("{INDENT}pub stack {name} {{\n"));
    if !body.is_empty() {
        out.push_str(&body.join("\n\n"));
        out.push('\n');
    }
    out.push_str(&format!("{INDENT}}}\n}}\n"));
    (out, w.unsupported)
}

impl Writer {
    fn report(&mut self, path: &str, reason: impl Into<String>) {
        self.unsupported.push(Unsupported {
            path: path.to_string(),
            reason: reason.into(),
        });
    }

    /// Each entry of a section, written by `write` (relative to the stack
    /// body's indentation), into `out`.
    fn entries(
        &mut self,
        section: &Value,
        key: &str,
        mut write: impl FnMut(&mut Writer, &str, &Value, &str) -> Option<String>,
        out: &mut Vec<String>,
    ) {
        let Value::Object(entries) = section else {
            self.report(key, "not an object: left out");
            return;
        };
        for (name, value) in entries {
            let path = format!("{key}.{name}");
            if name.starts_with("Fn::ForEach::") {
                self.report(
                    &path,
                    format!("a Fn::ForEach loop (AWS::LanguageExtensions) is not written: {EXPAND_TRANSFORM}"),
                );
                continue;
            }
            if let Some(text) = write(self, name, value, &path) {
                out.push(text);
            }
        }
    }

    /// The template's `Description` as the stack's doc comment.
    fn description(&mut self, value: &Value) -> Vec<String> {
        let Value::String(text) = value else {
            self.report("Description", "not a string: left out");
            return Vec::new();
        };
        let kept = text.trim();
        if kept.is_empty() {
            self.report("Description", "blank: left out");
            return Vec::new();
        }
        if kept != text {
            self.report(
                "Description",
                "the white space at its start and end is dropped (a doc comment is trimmed)",
            );
        }
        // A doc comment's lines are joined with spaces: line breaks need the
        // attribute, whose one string keeps them.
        if kept.contains(['\n', '\r']) {
            vec![format!("#[doc = {}]", literal(kept))]
        } else {
            vec![format!("/// {kept}")]
        }
    }

    /// `parameter Name { … };`, `mapping Name { … };`, `rule Name { … };`.
    fn object_entry(
        &mut self,
        keyword: &str,
        name: &str,
        value: &Value,
        path: &str,
    ) -> Option<String> {
        let Value::Object(fields) = value else {
            self.report(path, "not an object: left out");
            return None;
        };
        let node = Node::Object(self.fields(fields, path));
        Some(format!("{keyword} {} {};", declared(name), node.render(0)))
    }

    /// `condition Name = Fn::Equals(…);`; `condition Both = IsProd;` names
    /// another condition.
    fn condition(&mut self, name: &str, value: &Value, path: &str) -> Option<String> {
        let node = match condition_name(value) {
            Some(other) => self.bare_name(&Value::String(other.to_string()), path, CONDITION)?,
            None => self.value(value, path, Ctx::Value)?,
        };
        Some(format!(
            "condition {} = {};",
            declared(name),
            node.render(0)
        ))
    }

    /// `Name = cfn::Service::Type { Properties…, attributes… };`
    fn resource(&mut self, id: &str, value: &Value, path: &str) -> Option<String> {
        let Value::Object(r) = value else {
            self.report(path, "not an object: left out");
            return None;
        };
        // An ID tap would convert (`mybucket` → `Mybucket`) is declared as a
        // raw identifier, which keeps it; it is still `mybucket` where used.
        let declared = if is_name(id) && logical_id(id) != id {
            format!("r#{id}")
        } else {
            declared(id)
        };
        let Some(Value::String(ty)) = r.get("Type") else {
            self.report(path, "no Type (a string): left out");
            return None;
        };
        let kind = self.kind(ty, &format!("{path}.Type"));
        let mut fields = Vec::new();
        match r.get("Properties") {
            None => {}
            Some(Value::Object(props)) => {
                for (key, v) in props {
                    let at = format!("{path}.Properties.{key}");
                    let known = || {
                        tap_core::cfn::catalog::schema(ty)
                            .is_some_and(|s| s.properties.contains_key(key))
                    };
                    if ATTRIBUTES.contains(&key.as_str()) || (key == OTHER_KEYS && !known()) {
                        self.report(
                            &at,
                            format!("a property named like the resource attribute `{key}`: tap takes it for the attribute"),
                        );
                    }
                    if let Some(field) = self.field(key, v, &at) {
                        fields.push(field);
                    }
                }
            }
            Some(Value::Null) => self.report(
                &format!("{path}.Properties"),
                "null: the resource is written without properties",
            ),
            Some(_) => self.report(&format!("{path}.Properties"), "not an object: left out"),
        }
        for attr in ATTRIBUTES {
            let Some(v) = r.get(attr) else { continue };
            let at = format!("{path}.{attr}");
            let node = match (attr, v) {
                ("DependsOn", Value::Array(names)) => Some(Node::List(
                    names
                        .iter()
                        .enumerate()
                        .filter_map(|(i, n)| self.bare_name(n, &format!("{at}[{i}]"), REF))
                        .collect(),
                )),
                ("DependsOn", v) => self.bare_name(v, &at, REF),
                ("Condition", v) => self.bare_name(v, &at, CONDITION),
                (_, v) => self.value(v, &at, Ctx::Value),
            };
            if let Some(node) = node {
                fields.push((attr.to_string(), node));
            }
        }
        if let Some(deps) = r.get("DependsOn") {
            self.depends_on(deps, &format!("{path}.DependsOn"));
        }
        // A macro's keys (`Count: 3`) or the old `Version`, as written.
        let other: Vec<(String, Node)> = r
            .iter()
            .filter(|(key, _)| {
                key.as_str() != "Type"
                    && key.as_str() != "Properties"
                    && !ATTRIBUTES.contains(&key.as_str())
            })
            .filter_map(|(key, v)| self.field(key, v, &format!("{path}.{key}")))
            .collect();
        if !other.is_empty() {
            if r.get("Properties")
                .and_then(Value::as_object)
                .is_some_and(|p| p.contains_key(OTHER_KEYS))
            {
                self.report(
                    path,
                    format!("a property named `{OTHER_KEYS}` and keys beside the properties: tap takes the property for those keys"),
                );
            }
            fields.push((OTHER_KEYS.to_string(), Node::Object(other)));
        }
        if fields.is_empty() {
            return Some(format!("{declared} = {kind} {{}};"));
        }
        let mut out = format!("{declared} = {kind} {{\n");
        for (key, node) in fields {
            out.push_str(&format!("{INDENT}{key}: {},\n", node.render(1)));
        }
        out.push_str("};");
        Some(out)
    }

    /// tap writes a resource's dependencies as a sorted list without repeats,
    /// whatever else it adds to them.
    fn depends_on(&mut self, deps: &Value, path: &str) {
        let names: Vec<&str> = match deps {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => return,
        };
        let mut written = names.clone();
        written.sort_unstable();
        written.dedup();
        if deps.is_string() || written != names {
            self.report(
                path,
                format!(
                    "tap writes DependsOn as a sorted list: [{}]",
                    written.join(", ")
                ),
            );
        }
    }

    /// `AWS::S3::Bucket` → `cfn::S3::Bucket`; a type outside `AWS::` in full.
    fn kind(&mut self, ty: &str, path: &str) -> String {
        let rest = ty.strip_prefix("AWS::").unwrap_or(ty);
        let segments: Vec<&str> = rest.split("::").collect();
        let fits = if ty.starts_with("AWS::") {
            segments.len() == 2
        } else {
            // `Custom::Name`, or `Org::Service::Type` from the registry.
            (segments.len() == 2 && segments[0] == "Custom") || segments.len() == 3
        };
        if ty.starts_with("AWS::")
            && !ty.starts_with("AWS::Serverless::")
            && tap_core::cfn::catalog::schema(ty).is_none()
        {
            self.report(path, format!("`{ty}` is not in tap's resource catalog"));
        }
        // A macro's type no path can spell (`Boto3::CodeCommit.put_file`)
        // is written as a string.
        if !fits || !segments.iter().all(|s| is_type_name(s)) {
            return literal(ty);
        }
        format!("cfn::{rest}")
    }

    /// `output Name { value: …, description: …, export: …, condition: … };`
    fn output(&mut self, name: &str, value: &Value, path: &str) -> Option<String> {
        let Value::Object(o) = value else {
            self.report(path, "not an object: left out");
            return None;
        };
        if is_keyword(name) {
            self.report(path, "a Rust keyword cannot name an output");
        }
        let Some(v) = o.get("Value") else {
            self.report(path, "an output without a Value is left out");
            return None;
        };
        let mut fields = Vec::new();
        if let Some(node) = self.value(v, &format!("{path}.Value"), Ctx::Value) {
            fields.push(("value".to_string(), node));
        }
        match o.get("Description") {
            None => {}
            // tap writes an output's description as it is: no `Fn::Sub`.
            Some(Value::String(d)) => {
                let unknown = sub_pieces(d).into_iter().find_map(|p| match p {
                    SubPiece::Var(v) if !self.can_name(v) => Some(v),
                    _ => None,
                });
                if let Some(v) = unknown {
                    self.report(
                        &format!("{path}.Description"),
                        format!("tap checks each `${{…}}` in a description as a reference, and `${{{v}}}` names nothing in the stack: the source does not compile until it is reworded"),
                    );
                }
                fields.push(("description".to_string(), Node::Atom(literal(d))))
            }
            Some(_) => self.report(&format!("{path}.Description"), "not a string: left out"),
        }
        match o.get("Export") {
            None => {}
            Some(Value::Object(e)) if e.len() == 1 && e.contains_key("Name") => {
                if let Some(node) = e
                    .get("Name")
                    .and_then(|n| self.value(n, &format!("{path}.Export.Name"), Ctx::Value))
                {
                    fields.push(("export".to_string(), node));
                }
            }
            Some(_) => self.report(&format!("{path}.Export"), "not `{ Name: … }`: left out"),
        }
        if let Some(c) = o.get("Condition") {
            if let Some(node) = self.bare_name(c, &format!("{path}.Condition"), CONDITION) {
                fields.push(("condition".to_string(), node));
            }
        }
        for key in o.keys() {
            if !["Value", "Description", "Export", "Condition"].contains(&key.as_str()) {
                self.report(
                    &format!("{path}.{key}"),
                    "not an output key tap writes: left out",
                );
            }
        }
        Some(format!(
            "output {} {};",
            declared(name),
            Node::Object(fields).render(0)
        ))
    }

    /// Whether `${var}` in a string can be what tap reads it as: a pseudo
    /// parameter, an escape, an IAM variable, or a parameter's or a
    /// resource's name (with an attribute after a dot).
    fn can_name(&self, var: &str) -> bool {
        var.starts_with('!')
            || var.starts_with("AWS::")
            || is_iam_variable(var)
            || self
                .names
                .iter()
                .any(|n| var.split('.').next() == Some(n.as_str()))
    }

    /// A name written bare: a resource's, a condition's, a mapping's; one
    /// that is not an identifier is quoted in `quote` (`Ref("2Bucket")`).
    fn bare_name(&mut self, v: &Value, path: &str, quote: &str) -> Option<Node> {
        match v {
            Value::String(s) => Some(name_node(s, quote)),
            other => {
                self.report(path, "not a name: written as the value it is");
                self.value(other, path, Ctx::Value)
            }
        }
    }

    fn fields(&mut self, map: &Map<String, Value>, path: &str) -> Vec<(String, Node)> {
        map.iter()
            .filter_map(|(k, v)| self.field(k, v, &format!("{path}.{k}")))
            .collect()
    }

    fn field(&mut self, key: &str, v: &Value, path: &str) -> Option<(String, Node)> {
        let node = self.value(v, path, Ctx::Value)?;
        Some((self.key(key, path), node))
    }

    fn key(&mut self, key: &str, path: &str) -> String {
        if key == "allow" || key == "deny" {
            self.report(
                path,
                format!("tap reads a key `{key}` as a list of IAM statements in its own syntax"),
            );
        }
        // `ForAllValues: X` would read as IAM's `ForAllValues:X` set operator.
        if is_name(key) && key != "ForAllValues" && key != "ForAnyValue" {
            key.to_string()
        } else {
            literal(key)
        }
    }

    /// `None` for what is left out (a null), after saying so.
    fn value(&mut self, v: &Value, path: &str, ctx: Ctx) -> Option<Node> {
        Some(match v {
            Value::Null => {
                self.report(path, "null cannot be written: left out");
                return None;
            }
            Value::Bool(b) => Node::Atom(b.to_string()),
            Value::Number(n) => self.number(n, path),
            Value::String(s) => self.plain_string(s, path),
            Value::Array(items) => Node::List(self.items(items, path, Ctx::Value)),
            Value::Object(map) => {
                if let [(key, arg)] = map.iter().collect::<Vec<_>>()[..] {
                    if key == "Ref" {
                        return Some(self.reference(arg, path));
                    }
                    if key == "Condition" && ctx == Ctx::ConditionArg {
                        if let Some(name) = condition_name(v) {
                            return Some(name_node(name, CONDITION));
                        }
                    }
                    if key.starts_with("Fn::") {
                        return Some(self.function(key, arg, path));
                    }
                }
                Node::Object(self.fields(map, path))
            }
        })
    }

    fn items(&mut self, items: &[Value], path: &str, ctx: Ctx) -> Vec<Node> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| self.value(v, &format!("{path}[{i}]"), ctx))
            .collect()
    }

    fn number(&mut self, n: &Number, path: &str) -> Node {
        match n.as_i64() {
            // The DSL reads `-` and then the digits, which for i64::MIN do not fit.
            Some(i) if i != i64::MIN => Node::Atom(i.to_string()),
            Some(_) => {
                self.report(path, format!("a number beyond the DSL's whole numbers is written as a string; the template will say \"{n}\""));
                Node::Atom(literal(&n.to_string()))
            }
            None if n.is_u64() => {
                self.report(path, format!("a number beyond the DSL's whole numbers is written as a string; the template will say \"{n}\""));
                Node::Atom(literal(&n.to_string()))
            }
            // `0.5`, `1e-5`: a Rust float literal, which the DSL keeps as written.
            None => Node::Atom(n.to_string()),
        }
    }

    /// A string that is not a `Fn::Sub`: in the DSL, `${` makes one.
    fn plain_string(&mut self, s: &str, path: &str) -> Node {
        if !s.contains("${") {
            return Node::Atom(literal(s));
        }
        // tap keeps IAM policy variables (`${aws:username}`) as text, so a
        // string whose only variables are those stays a plain string.
        let only_iam = !s.contains("${!")
            && sub_pieces(s).iter().all(|p| match p {
                SubPiece::Text(_) => true,
                SubPiece::Var(v) => is_iam_variable(v),
            });
        if only_iam {
            return Node::Atom(literal(s));
        }
        self.report(
            path,
            "a literal `${` in a plain string: written as `${!`, Fn::Sub's escape, which tap turns back into `${` since the string has no variable left",
        );
        Node::Atom(literal(&s.replace("${", "${!")))
    }

    /// `{"Ref": X}`: `X` bare, a pseudo parameter as `AWS::Region`.
    fn reference(&mut self, arg: &Value, path: &str) -> Node {
        match arg {
            Value::String(s) if s.strip_prefix("AWS::").is_some_and(is_name) => {
                Node::Atom(s.clone())
            }
            Value::String(s) => name_node(s, REF),
            other => {
                self.report(
                    &format!("{path}.Ref"),
                    "a Ref to something other than a name: written as an object",
                );
                let arg = self
                    .value(other, &format!("{path}.Ref"), Ctx::Value)
                    .unwrap_or_else(|| Node::Atom(literal("")));
                Node::Object(vec![("Ref".to_string(), arg)])
            }
        }
    }

    fn function(&mut self, name: &str, arg: &Value, path: &str) -> Node {
        let at = format!("{path}.{name}");
        // `Fn::GetAtt:` (a typo): no call can name it, so it stays the
        // object it is, for the checks to refuse.
        if !name.strip_prefix("Fn::").is_some_and(is_name) {
            self.report(
                &at,
                format!("`{name}` is not a function name: written as an object"),
            );
            let arg = self
                .value(arg, &at, Ctx::Value)
                .unwrap_or_else(|| Node::Atom(literal("")));
            return Node::Object(vec![(literal(name), arg)]);
        }
        match (name, arg) {
            ("Fn::GetAtt", _) => self.get_att(arg, &at),
            ("Fn::Sub", Value::String(s)) => self.sub(s, &at),
            ("Fn::Sub", Value::Array(a))
                if a.len() == 2 && a[0].is_string() && a[1].is_object() =>
            {
                // The text as written: its variables include the map's.
                let text = Node::Atom(literal(a[0].as_str().unwrap_or_default()));
                let vars = match &a[1] {
                    Value::Object(m) => Node::Object(self.fields(m, &format!("{at}[1]"))),
                    _ => Node::Object(Vec::new()),
                };
                Node::Call(name.to_string(), vec![text, vars])
            }
            ("Fn::GetAZs", Value::String(s)) if s.is_empty() => {
                Node::Call(name.to_string(), Vec::new())
            }
            ("Fn::If" | "Fn::FindInMap" | "Fn::ValueOf", Value::Array(a)) if !a.is_empty() => {
                // The condition's, the map's or the parameter's name is bare.
                let quote = if name == "Fn::If" { CONDITION } else { REF };
                let first = self.bare_name(&a[0], &format!("{at}[0]"), quote);
                let rest: Vec<Node> = a
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter_map(|(i, v)| self.value(v, &format!("{at}[{i}]"), Ctx::Value))
                    .collect();
                Node::Call(name.to_string(), first.into_iter().chain(rest).collect())
            }
            (_, Value::Array(a)) if LIST_ARGS.contains(&name) => {
                let ctx = if matches!(name, "Fn::And" | "Fn::Or" | "Fn::Not") {
                    Ctx::ConditionArg
                } else {
                    Ctx::Value
                };
                Node::Call(name.to_string(), self.items(a, &at, ctx))
            }
            _ if ONE_ARG.contains(&name) => {
                if name == "Fn::Transform" {
                    self.report(
                        &at,
                        format!("a macro, expanded when the stack is deployed: {EXPAND_TRANSFORM}"),
                    );
                }
                Node::Call(
                    name.to_string(),
                    self.value(arg, &at, Ctx::Value).into_iter().collect(),
                )
            }
            _ => {
                if LIST_ARGS.contains(&name) {
                    self.report(
                        &at,
                        format!("`{name}` takes a list of arguments: written with this one"),
                    );
                } else {
                    self.report(&at, format!("`{name}` is not a function tap knows: written as a call with the list's elements as its arguments"));
                }
                let args = match arg {
                    Value::Array(a) => self.items(a, &at, Ctx::Value),
                    other => self.value(other, &at, Ctx::Value).into_iter().collect(),
                };
                Node::Call(name.to_string(), args)
            }
        }
    }

    /// `Res.Attr`, `MyDB.Endpoint.Address`.
    fn get_att(&mut self, arg: &Value, path: &str) -> Node {
        let parts = match arg {
            Value::Array(a) => match &a[..] {
                [Value::String(res), Value::String(attr)] => Some((res.as_str(), attr.as_str())),
                _ => None,
            },
            Value::String(s) => s.split_once('.'),
            _ => None,
        };
        if let Some((res, attr)) = parts {
            if is_name(res) && attr.split('.').all(is_name) {
                return Node::Atom(format!("{res}.{attr}"));
            }
            // `Fn::GetAtt("2Bucket", "Arn")`: the macro reads a string as
            // the resource's name.
            if !is_name(res) {
                return Node::Call(
                    "Fn::GetAtt".to_string(),
                    vec![Node::Atom(literal(res)), Node::Atom(literal(attr))],
                );
            }
            // `Outputs.my-output`: not names after the dot, so the call.
            return Node::Call(
                "Fn::GetAtt".to_string(),
                vec![Node::Atom(res.to_string()), Node::Atom(literal(attr))],
            );
        }
        self.report(
            path,
            "not `Resource.Attribute` with a name and a literal attribute: written as a call",
        );
        let args = match arg {
            Value::Array(a) => self.items(a, path, Ctx::Value),
            other => self.value(other, path, Ctx::Value).into_iter().collect(),
        };
        Node::Call("Fn::GetAtt".to_string(), args)
    }

    /// `{"Fn::Sub": "…"}`: the string itself, which `${…}` makes a Sub.
    fn sub(&mut self, s: &str, path: &str) -> Node {
        let vars: Vec<&str> = sub_pieces(s)
            .into_iter()
            .filter_map(|p| match p {
                SubPiece::Var(v) if !v.starts_with('!') => Some(v),
                _ => None,
            })
            .collect();
        let (iam, real): (Vec<&str>, Vec<&str>) =
            vars.into_iter().partition(|v| is_iam_variable(v));
        // Without variables, a plain string would be written without the
        // `Fn::Sub`: the call keeps it.
        if real.is_empty() {
            return Node::Call("Fn::Sub".to_string(), vec![Node::Atom(literal(s))]);
        }
        if let Some(v) = iam.first() {
            self.report(
                path,
                format!("`${{{v}}}` is an IAM policy variable to tap, which writes it `${{!{v}}}`: the Fn::Sub will say so"),
            );
        }
        Node::Atom(literal(s))
    }
}

/// Where the keys beside `Properties` that CloudFormation does not read go.
const OTHER_KEYS: &str = tap_core::cfn::kind::OTHER_KEYS;

/// How a name that is not an identifier is used: `Ref("2Bucket")`,
/// `Condition("2RouteTableCondition")`.
const REF: &str = "Ref";
const CONDITION: &str = "Condition";

/// `Name`, or `Ref("2Name")` for a name that is not an identifier.
fn name_node(name: &str, quote: &str) -> Node {
    if is_name(name) {
        Node::Atom(name.to_string())
    } else {
        Node::Call(quote.to_string(), vec![Node::Atom(literal(name))])
    }
}

/// How a name is declared: bare, or quoted when it is not an identifier.
fn declared(name: &str) -> String {
    if is_name(name) {
        name.to_string()
    } else {
        literal(name)
    }
}

/// `{"Condition": "Name"}` → `Name`.
fn condition_name(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get("Condition").and_then(Value::as_str),
        _ => None,
    }
}

/// `aws:username`, `s3:prefix`: IAM's, not CloudFormation's (`AWS::Region`).
fn is_iam_variable(v: &str) -> bool {
    v.contains(':') && !v.contains("::")
}

/// A Rust string literal for `s`.
fn literal(s: &str) -> String {
    format!("{s:?}")
}

/// What the DSL reads as one name: an ASCII identifier.
pub(super) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    s != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` can name a stack (a Rust type).
pub(super) fn is_type_name(s: &str) -> bool {
    is_name(s) && !is_keyword(s)
}

/// Names the macro reads with `Ident::parse`, which refuses keywords.
fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do",
        "final", "gen", "macro", "override", "priv", "try", "typeof", "unsized", "virtual",
        "yield",
    ];
    KEYWORDS.contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The source of a template, and what is reported, as `(path, reason)`.
    fn write(t: Value) -> (String, Vec<(String, String)>) {
        let Value::Object(map) = t else {
            panic!("a template is an object")
        };
        let (source, unsupported) = stack(&map, "Demo");
        (
            source,
            unsupported
                .into_iter()
                .map(|u| (u.path, u.reason))
                .collect(),
        )
    }

    /// One property's value as written, with the reports.
    fn prop(v: Value) -> (String, Vec<(String, String)>) {
        let (source, reports) = write(json!({
            "Resources": {"R": {"Type": "AWS::SNS::Topic", "Properties": {"P": v}}}
        }));
        let start = source.find("    P: ").expect("the property") + "    P: ".len();
        let end = source[start..].find(",\n        };").expect("its end") + start;
        (source[start..end].to_string(), reports)
    }

    fn paths(reports: &[(String, String)]) -> Vec<&str> {
        reports.iter().map(|(p, _)| p.as_str()).collect()
    }

    #[test]
    fn scalars() {
        assert_eq!(prop(json!("a \"q\" \\ \n\t")).0, r#""a \"q\" \\ \n\t""#);
        assert_eq!(prop(json!("5")).0, "\"5\"");
        assert_eq!(prop(json!(5)).0, "5");
        assert_eq!(prop(json!(-1)).0, "-1");
        assert_eq!(prop(json!(true)).0, "true");
        let (v, r) = prop(json!(0.5));
        assert_eq!(v, "0.5");
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(prop(json!(-1.5e-7)).0, "-1.5e-7");
        let (v, r) = prop(json!(u64::MAX));
        assert_eq!(v, format!("\"{}\"", u64::MAX));
        assert_eq!(paths(&r), ["Resources.R.Properties.P"]);
    }

    #[test]
    fn keys_bare_or_quoted() {
        let (v, r) = prop(json!({"type": 1, "detail-type": 2, "us-east-1": 3, "_x": 4, "9a": 5}));
        assert_eq!(
            v,
            r#"{ type: 1, "detail-type": 2, "us-east-1": 3, _x: 4, "9a": 5 }"#
        );
        assert!(r.is_empty());
        let (v, _) = prop(json!({"AWS::CloudFormation::Init": {}, "ForAllValues": 1}));
        assert_eq!(
            v,
            r#"{ "AWS::CloudFormation::Init": {}, "ForAllValues": 1 }"#
        );
        let (_, r) = prop(json!({"allow": []}));
        assert_eq!(paths(&r), ["Resources.R.Properties.P.allow"]);
    }

    #[test]
    fn references() {
        assert_eq!(prop(json!({"Ref": "MyBucket"})).0, "MyBucket");
        assert_eq!(prop(json!({"Ref": "AWS::Region"})).0, "AWS::Region");
        assert_eq!(
            prop(json!({"Fn::GetAtt": ["MyDB", "Endpoint.Address"]})).0,
            "MyDB.Endpoint.Address"
        );
        assert_eq!(prop(json!({"Fn::GetAtt": "MyDB.Arn"})).0, "MyDB.Arn");
        let (v, r) = prop(json!({"Fn::GetAtt": ["Stack", "Outputs.my-out"]}));
        assert_eq!(v, r#"Fn::GetAtt(Stack, "Outputs.my-out")"#);
        assert!(r.is_empty());
        let (v, r) = prop(json!({"Fn::GetAtt": ["Res", {"Ref": "Attr"}]}));
        assert_eq!(v, "Fn::GetAtt(\"Res\", Attr)");
        assert_eq!(paths(&r), ["Resources.R.Properties.P.Fn::GetAtt"]);
    }

    #[test]
    fn subs() {
        let (v, r) = prop(json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${B}/*"}));
        assert_eq!(v, r#""arn:${AWS::Partition}:s3:::${B}/*""#);
        assert!(r.is_empty());
        // Without variables, the call keeps the `Fn::Sub` (and its escapes).
        let (v, r) = prop(json!({"Fn::Sub": "plain"}));
        assert_eq!(v, r#"Fn::Sub("plain")"#);
        assert!(r.is_empty());
        let (v, r) = prop(json!({"Fn::Sub": "${!Literal}"}));
        assert_eq!(v, r#"Fn::Sub("${!Literal}")"#);
        assert!(r.is_empty());
        let (_, r) = prop(json!({"Fn::Sub": "${B}/${aws:username}"}));
        assert!(r[0].1.contains("IAM policy variable"), "{r:?}");
        assert_eq!(
            prop(json!({"Fn::Sub": ["www.${Domain}", {"Domain": {"Ref": "RootDomainName"}}]})).0,
            r#"Fn::Sub("www.${Domain}", { Domain: RootDomainName })"#
        );
    }

    #[test]
    fn plain_strings_with_a_dollar_brace() {
        let (v, r) = prop(json!("echo ${HOME}"));
        assert_eq!(v, r#""echo ${!HOME}""#);
        assert_eq!(paths(&r), ["Resources.R.Properties.P"]);
        let (v, r) = prop(json!("${!x}"));
        assert_eq!(v, r#""${!!x}""#);
        assert_eq!(r.len(), 1);
        // IAM's own variables stay text in tap: nothing to report.
        let (v, r) = prop(json!("arn:aws:s3:::b/${aws:username}/*"));
        assert_eq!(v, r#""arn:aws:s3:::b/${aws:username}/*""#);
        assert!(r.is_empty());
    }

    #[test]
    fn functions() {
        assert_eq!(
            prop(json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})).0,
            "Fn::Select(0, Fn::GetAZs())"
        );
        assert_eq!(
            prop(json!({"Fn::Select": ["0", {"Fn::GetAZs": {"Ref": "AWS::Region"}}]})).0,
            "Fn::Select(\"0\", Fn::GetAZs(AWS::Region))"
        );
        assert_eq!(
            prop(json!({"Fn::FindInMap": ["RegionMap", {"Ref": "AWS::Region"}, "AMI"]})).0,
            r#"Fn::FindInMap(RegionMap, AWS::Region, "AMI")"#
        );
        assert_eq!(
            prop(json!({"Fn::If": ["IsProd", {"Ref": "Snap"}, {"Ref": "AWS::NoValue"}]})).0,
            "Fn::If(IsProd, Snap, AWS::NoValue)"
        );
        assert_eq!(
            prop(json!({"Fn::Join": [",", ["a", {"Ref": "B"}]]})).0,
            r#"Fn::Join(",", ["a", B])"#
        );
        assert_eq!(
            prop(json!({"Fn::Split": [",", {"Fn::ImportValue": "X"}]})).0,
            r#"Fn::Split(",", Fn::ImportValue("X"))"#
        );
        assert_eq!(
            prop(json!({"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 6, "5"]})).0,
            r#"Fn::Cidr(Vpc.CidrBlock, 6, "5")"#
        );
        assert_eq!(
            prop(json!({"Fn::Base64": {"Fn::Sub": "x${A}"}})).0,
            r#"Fn::Base64("x${A}")"#
        );
        assert_eq!(
            prop(json!({"Fn::ValueOf": ["Subnet", "VpcId"]})).0,
            r#"Fn::ValueOf(Subnet, "VpcId")"#
        );
        let (v, r) = prop(json!({"Fn::Frobnicate": [1, 2]}));
        assert_eq!(v, "Fn::Frobnicate(1, 2)");
        assert_eq!(paths(&r), ["Resources.R.Properties.P.Fn::Frobnicate"]);
    }

    #[test]
    fn conditions() {
        let (s, r) = write(json!({
            "Conditions": {
                "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "Big": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Fn::Equals": [{"Ref": "Size"}, "0"]}]}]},
                "Alias": {"Condition": "IsProd"},
            }
        }));
        assert!(s.contains("        condition IsProd = Fn::Equals(Env, \"prod\");\n        condition Big = Fn::And(IsProd, Fn::Not(Fn::Equals(Size, \"0\")));\n        condition Alias = IsProd;\n"), "{s}");
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn a_condition_key_outside_condition_functions_is_an_object() {
        assert_eq!(prop(json!({"Condition": "X"})).0, r#"{ Condition: "X" }"#);
    }

    #[test]
    fn resources_with_attributes() {
        let (s, r) = write(json!({
            "Resources": {
                "myDB": {
                    "Type": "AWS::RDS::DBInstance",
                    "DeletionPolicy": "Snapshot",
                    "DependsOn": "Vpc",
                    "Condition": "IsProd",
                    "Properties": {"Engine": "mysql"},
                },
                "Hook": {"Type": "Custom::Hook", "DependsOn": ["A", "B"], "Version": "1.0"},
                "mybucket": {"Type": "AWS::S3::Bucket"},
            }
        }));
        assert!(s.contains("        myDB = cfn::RDS::DBInstance {\n            Engine: \"mysql\",\n            DependsOn: Vpc,\n            Condition: IsProd,\n            DeletionPolicy: \"Snapshot\",\n        };\n"), "{s}");
        assert!(
            s.contains(
                "        Hook = cfn::Custom::Hook {\n            DependsOn: [A, B],\n            Attributes: { Version: \"1.0\" },\n        };\n"
            ),
            "{s}"
        );
        assert!(
            s.contains("        r#mybucket = cfn::S3::Bucket {};\n"),
            "{s}"
        );
        assert_eq!(
            r,
            [(
                "Resources.myDB.DependsOn".to_string(),
                "tap writes DependsOn as a sorted list: [Vpc]".to_string()
            ),]
        );
    }

    #[test]
    fn resource_types() {
        let (s, r) = write(json!({
            "Resources": {
                "Skill": {"Type": "Alexa::ASK::Skill"},
                "Odd": {"Type": "AWS::Not::A::Type"},
                "Readme": {"Type": "Boto3::CodeCommit.put_file"},
            }
        }));
        assert!(s.contains("Skill = cfn::Alexa::ASK::Skill {};"), "{s}");
        assert!(s.contains(r#"Odd = "AWS::Not::A::Type" {};"#), "{s}");
        assert!(
            s.contains(r#"Readme = "Boto3::CodeCommit.put_file" {};"#),
            "{s}"
        );
        assert_eq!(paths(&r), ["Resources.Odd.Type"]);
    }

    #[test]
    fn names_that_are_not_identifiers_are_quoted() {
        let (s, r) = write(json!({
            "Conditions": {
                "2Tables": {"Fn::Equals": [{"Ref": "1Count"}, "2"]},
                "3Tables": {"Fn::Or": [{"Condition": "2Tables"}, {"Condition": "Plain"}]},
                "Plain": {"Condition": "2Tables"},
            },
            "Parameters": {"1Count": {"Type": "String"}},
            "Resources": {
                "2Bucket": {
                    "Type": "AWS::S3::Bucket",
                    "Condition": "3Tables",
                    "DependsOn": ["9Queue"],
                    "Properties": {"BucketName": {"Fn::If": ["2Tables", {"Fn::GetAtt": ["9Queue", "QueueName"]}, "b"]}},
                },
                "9Queue": {"Type": "AWS::SQS::Queue"},
            },
            "Outputs": {"1Out": {"Value": {"Ref": "2Bucket"}}},
        }));
        for line in [
            r#"condition "2Tables" = Fn::Equals(Ref("1Count"), "2");"#,
            r#"condition "3Tables" = Fn::Or(Condition("2Tables"), Plain);"#,
            r#"condition Plain = Condition("2Tables");"#,
            r#"parameter "1Count" { Type: "String" };"#,
            r#""2Bucket" = cfn::S3::Bucket {"#,
            r#"BucketName: Fn::If(Condition("2Tables"), Fn::GetAtt("9Queue", "QueueName"), "b"),"#,
            r#"Condition: Condition("3Tables"),"#,
            r#"DependsOn: [Ref("9Queue")],"#,
            r#"output "1Out" { value: Ref("2Bucket") };"#,
        ] {
            assert!(s.contains(line), "{line} in {s}");
        }
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn long_values_break_into_lines() {
        let (v, _) = prop(json!({"Fn::Base64": {"Fn::Join": ["", [
            "#!/bin/bash -xe\n",
            "/opt/aws/bin/cfn-init -v --stack ", {"Ref": "AWS::StackName"},
            " --resource WebServer --region ", {"Ref": "AWS::Region"}, "\n",
        ]]}}));
        assert_eq!(
            v,
            "Fn::Base64(Fn::Join(\"\", [\n                \"#!/bin/bash -xe\\n\",\n                \"/opt/aws/bin/cfn-init -v --stack \",\n                AWS::StackName,\n                \" --resource WebServer --region \",\n                AWS::Region,\n                \"\\n\",\n            ]))"
        );
    }

    #[test]
    fn sections_and_their_order() {
        let (s, r) = write(json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["Web", "PublicDnsName"]}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Url"}}, "Condition": "IsProd", "Description": "The ${x} URL"}},
            "Resources": {"Web": {"Type": "AWS::EC2::Instance"}},
            "Mappings": {"RegionMap": {"us-east-1": {"AMI": "ami-1"}}},
            "Parameters": {"Env": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
            "Description": "Two\nlines",
            "Metadata": {"X": 1},
            "Transform": "AWS::Serverless-2016-10-31",
            "Globals": {"Function": {"Timeout": 10}},
        }));
        assert_eq!(
            s,
            r#"use tap_macros::stack;

stack! {
    pub stack Demo {
        description: "Two\nlines";
        metadata: { X: 1 };
        transform: "AWS::Serverless-2016-10-31";
        globals: { Function: { Timeout: 10 } };

        parameter Env { Type: "String", AllowedValues: ["dev", "prod"] };

        mapping RegionMap { "us-east-1": { AMI: "ami-1" } };

        Web = cfn::EC2::Instance {};

        output Url {
            value: Web.PublicDnsName,
            description: "The ${x} URL",
            export: "${AWS::StackName}-Url",
            condition: IsProd,
        };
    }
}
"#
        );
        assert_eq!(paths(&r), ["Outputs.Url.Description", "Transform"]);
    }

    #[test]
    fn an_output_description_names_what_the_stack_has() {
        let (s, r) = write(json!({
            "Parameters": {"Env": {"Type": "String"}},
            "Outputs": {
                "A": {"Value": "a", "Description": "for ${Env} in ${AWS::Region}"},
                "B": {"Value": "b", "Description": "costs ${x}"},
            }
        }));
        assert!(
            s.contains(r#"output A { value: "a", description: "for ${Env} in ${AWS::Region}" };"#),
            "{s}"
        );
        assert_eq!(paths(&r), ["Outputs.B.Description"]);
    }

    #[test]
    fn descriptions() {
        // Kept exactly: a doc comment would trim it.
        let (s, r) = write(json!({"Description": "  Padded  "}));
        assert!(s.contains("        description: \"  Padded  \";\n"), "{s}");
        assert!(r.is_empty());
        let (s, _) = write(json!({"Description": "One line"}));
        assert!(
            s.contains("    /// One line\n    pub stack Demo {\n"),
            "{s}"
        );
    }

    #[test]
    fn nulls_are_left_out() {
        let (v, r) = prop(json!({"A": null, "B": [1, null]}));
        assert_eq!(v, "{ B: [1] }");
        assert_eq!(
            paths(&r),
            [
                "Resources.R.Properties.P.A",
                "Resources.R.Properties.P.B[1]"
            ]
        );
    }
}
