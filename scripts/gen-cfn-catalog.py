#!/usr/bin/env python3
"""Generate tap-core/data/cfn-catalog.txt from the CloudFormation resource
provider schemas that PyPI `cfn-lint` ships as package data (MIT-0), and from
tap's own IAM catalog (tap-core/data/iam-catalog.txt, for the IAM mapping).

For every resource type of us-east-1: its properties with their JSON types,
required properties, enums, patterns, length, numeric and item bounds,
`$ref` definitions (kept by name, so recursive shapes stay small), read-only
properties (the attributes `Fn::GetAtt` can name), create-only and write-only
properties, the primary identifier, the IAM actions CloudFormation's handlers
need, and the IAM resource type each ARN attribute is.

Run (the test command never needs to; the output is committed):
    .venv/bin/python scripts/gen-cfn-catalog.py > tap-core/data/cfn-catalog.txt

Format: `#` comment lines, then one line per type,
    <type name>\t<compact JSON>
so the Rust side finds a type with a line scan and parses only the types a
stack uses. The JSON keys (all optional):
    p   properties: name -> shape        r   required property names
    d   definitions: name -> shape       x   1 when unknown properties are refused
    ro  read-only properties (attribute names, `A.B` for nested ones)
    co  create-only properties           wo  write-only properties
    id  primary identifier               h   handler -> IAM actions
    gone the date AWS shut the type's service down (CloudFormation cannot create it)
    arn the attribute that is the resource's ARN ("Ref" when Ref returns it)
    iam attribute -> [service prefix, IAM resource type]
    noiam 1 when the service has no IAM resource type for this type
A shape:
    t   JSON type(s): s string, i integer, n number, b boolean, a array, o object
    e   enum values      ci 1 when the enum is case-insensitive      c const
    fm  "4" / "6": an IPv4 / IPv6 network in CIDR notation
    fmt an identifier's format (`AWS::KMS::Key.Id`): its pattern is on a header
        line `#format<TAB>name<TAB>pattern` (cfn-lint's format keywords)
    re  pattern          ln [minLength, maxLength]     nm [minimum, maximum]
    it  [minItems, maxItems]      i  items shape
    p, r, x   as above, for an object     pp  [[key pattern, shape], ...]
    $   a definition's name          one  alternatives (oneOf/anyOf)
    j   1: free-form JSON (an object, or a string holding JSON)
"""
import importlib.metadata
import json
import pathlib
import re
import sys

import cfnlint
# Which attributes `Fn::GetAtt` takes beyond a type's read-only properties
# (`AWS::SNS::Topic.TopicName`): the table cfn-lint keeps, as data.
from cfnlint.schema._getatts import _all_property_types as GETATT_ALL_PROPERTIES
from cfnlint.schema._getatts import _exceptions as GETATT_EXCEPTIONS

HANDLERS = ["create", "read", "update", "delete"]

# Types whose schema lists no handler permissions, with what their API needs,
# read from the service's API reference. Reviewed by hand: keep it short.
HANDLER_OVERRIDES = {
    "AWS::CodeBuild::Project": {
        "create": ["codebuild:CreateProject", "iam:PassRole"],
        "read": ["codebuild:BatchGetProjects"],
        "update": ["codebuild:UpdateProject", "iam:PassRole"],
        "delete": ["codebuild:DeleteProject"],
    },
}

# CloudFormation type -> (IAM service, IAM resource type) where the handlers'
# prefix and name similarity pick wrong or nothing. Reviewed by hand against
# the Service Authorization Reference; keep it short. None: the type has no
# IAM resource type (IAM can grant on it only with "*").
IAM_OVERRIDES = {
    "AWS::CloudWatch::Alarm": ("cloudwatch", "alarm"),
    "AWS::CloudWatch::Dashboard": ("cloudwatch", "dashboard"),
    "AWS::Cognito::UserPool": ("cognito-idp", "userpool"),
    "AWS::Cognito::IdentityPool": ("cognito-identity", "identitypool"),
    "AWS::EC2::Instance": ("ec2", "instance"),
    "AWS::EC2::VPC": ("ec2", "vpc"),
    "AWS::EC2::Subnet": ("ec2", "subnet"),
    "AWS::EC2::SecurityGroup": ("ec2", "security-group"),
    "AWS::EC2::LaunchTemplate": ("ec2", "launch-template"),
    "AWS::EC2::InternetGateway": ("ec2", "internet-gateway"),
    "AWS::EC2::NatGateway": ("ec2", "natgateway"),
    "AWS::EC2::RouteTable": ("ec2", "route-table"),
    "AWS::EC2::NetworkInterface": ("ec2", "network-interface"),
    "AWS::EC2::Volume": ("ec2", "volume"),
    "AWS::EC2::EIP": ("ec2", "elastic-ip"),
    "AWS::EC2::VPCEndpoint": ("ec2", "vpc-endpoint"),
    # Application, network and gateway load balancers are three IAM resource
    # types: which one depends on a property, so none is assumed.
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "ambiguous",
    "AWS::ElasticLoadBalancingV2::Listener": "ambiguous",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "ambiguous",
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("elasticloadbalancing", "targetgroup"),
    "AWS::Events::EventBus": ("events", "event-bus"),
    "AWS::Events::Rule": ("events", "rule-on-default-event-bus"),
    "AWS::KinesisFirehose::DeliveryStream": ("firehose", "deliverystream"),
    "AWS::Lambda::EventSourceMapping": ("lambda", "eventsourcemapping"),
    "AWS::Lambda::LayerVersion": ("lambda", "layerversion"),
    "AWS::Logs::LogGroup": ("logs", "log-group"),
    "AWS::RDS::DBInstance": ("rds", "db"),
    "AWS::RDS::DBCluster": ("rds", "cluster"),
    "AWS::RDS::DBSubnetGroup": ("rds", "subgrp"),
    "AWS::RDS::DBParameterGroup": ("rds", "pg"),
    "AWS::RDS::DBClusterParameterGroup": ("rds", "cluster-pg"),
    "AWS::Route53::HostedZone": ("route53", "hostedzone"),
    "AWS::S3::Bucket": ("s3", "bucket"),
    "AWS::SNS::Topic": ("sns", "topic"),
    "AWS::SQS::Queue": ("sqs", "queue"),
    "AWS::SSM::Parameter": ("ssm", "parameter"),
    "AWS::StepFunctions::StateMachine": ("states", "statemachine"),
    "AWS::StepFunctions::Activity": ("states", "activity"),
    "AWS::CertificateManager::Certificate": ("acm", "certificate"),
    "AWS::CloudFront::Distribution": ("cloudfront", "distribution"),
    "AWS::ECS::Cluster": ("ecs", "cluster"),
    "AWS::ECS::Service": ("ecs", "service"),
    "AWS::ECS::TaskDefinition": ("ecs", "task-definition"),
    "AWS::ECR::Repository": ("ecr", "repository"),
    "AWS::EKS::Cluster": ("eks", "cluster"),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache", "replicationgroup"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", "cluster"),
    "AWS::Kinesis::Stream": ("kinesis", "stream"),
    "AWS::AppSync::GraphQLApi": ("appsync", "graphqlapi"),
    "AWS::Scheduler::Schedule": ("scheduler", "schedule"),
    "AWS::Scheduler::ScheduleGroup": ("scheduler", "schedule-group"),
    "AWS::WAFv2::WebACL": ("wafv2", "webacl"),
    "AWS::IAM::ManagedPolicy": ("iam", "policy"),
    "AWS::IAM::InstanceProfile": ("iam", "instance-profile"),
    "AWS::IAM::Role": ("iam", "role"),
    "AWS::IAM::User": ("iam", "user"),
    "AWS::IAM::Group": ("iam", "group"),
    # A third element names the attribute that holds the ARN when the schema's
    # attribute names do not say (`Ref` of a secret is its ARN).
    "AWS::SecretsManager::Secret": ("secretsmanager", "secret", "Ref"),
    # Types that are configuration of another resource, with no ARN of their own.
    "AWS::S3::BucketPolicy": None,
    "AWS::SQS::QueuePolicy": None,
    "AWS::SNS::TopicPolicy": None,
    "AWS::SNS::Subscription": None,
    "AWS::IAM::Policy": None,
    "AWS::Lambda::Permission": None,
    "AWS::Lambda::Version": ("lambda", "function version"),
    "AWS::Lambda::Alias": ("lambda", "function alias"),
    "AWS::EC2::SecurityGroupIngress": None,
    "AWS::EC2::SecurityGroupEgress": None,
    "AWS::EC2::Route": None,
    "AWS::EC2::SubnetRouteTableAssociation": None,
    "AWS::EC2::VPCGatewayAttachment": None,
    "AWS::ApiGateway::Method": None,
    "AWS::ApiGateway::Resource": None,
    "AWS::ApiGateway::Deployment": None,
    "AWS::ApiGateway::Account": None,
    "AWS::ApiGatewayV2::Route": None,
    "AWS::ApiGatewayV2::Integration": None,
    "AWS::ApplicationAutoScaling::ScalableTarget": None,
    "AWS::ApplicationAutoScaling::ScalingPolicy": None,
}


def iam_catalog(path):
    """service prefix -> {resource type: ARN format}, from tap's IAM catalog."""
    services, current = {}, None
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line:
            continue
        if line.startswith("@"):
            current = services.setdefault(line[1:], {})
        elif line.startswith("=") and current is not None:
            name, _, arn = line[1:].partition("\t")
            current[name] = arn
    return services


def norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def cfn_lint_formats():
    """cfn-lint's format keywords (`AWS::KMS::Key.Id`) and their patterns."""
    import importlib
    import pkgutil

    import cfnlint.rules.formats as formats
    from cfnlint.rules.formats.FormatKeyword import FormatKeyword

    found = {}
    for m in pkgutil.iter_modules(formats.__path__):
        mod = importlib.import_module(f"cfnlint.rules.formats.{m.name}")
        for name in dir(mod):
            c = getattr(mod, name)
            if isinstance(c, type) and issubclass(c, FormatKeyword) and c is not FormatKeyword:
                rule = c()
                if rule.format_keyword and rule.pattern:
                    found[rule.format_keyword] = rule.pattern
    return dict(sorted(found.items()))


FORMATS = cfn_lint_formats()


def type_key(t):
    # JSON Schema type names, shortened.
    return {"string": "s", "integer": "i", "number": "n", "boolean": "b", "array": "a", "object": "o"}.get(t)


def shape(s):
    """A JSON-schema node -> the compact shape (see the module docs)."""
    if not isinstance(s, dict):
        return {}
    out = {}
    if "$ref" in s:
        ref = s["$ref"]
        if ref.startswith("#/definitions/"):
            out["$"] = ref[len("#/definitions/"):]
    t = s.get("type")
    if isinstance(t, str) and type_key(t):
        out["t"] = type_key(t)
    elif isinstance(t, list):
        ts = [type_key(x) for x in t if type_key(x)]
        if ts:
            out["t"] = ts if len(ts) > 1 else ts[0]
    if s.get("format") == "json":
        out["j"] = 1
    # A network in CIDR notation (cfn-lint's formats): its address has no bits
    # set past the prefix (`192.168.1.0/0` is not one).
    if s.get("format") in ("ipv4-network", "ipv6-network"):
        out["fm"] = s["format"][3]
    # An identifier of another resource (`AWS::KMS::Key.Id`): cfn-lint's format
    # keywords, whose patterns are in the header.
    if s.get("format") in FORMATS:
        out["fmt"] = s["format"]
    if "enum" in s and isinstance(s["enum"], list):
        out["e"] = s["enum"]
        if s.get("enumCaseInsensitive"):
            out["ci"] = 1
    if "const" in s:
        out["c"] = s["const"]
    if isinstance(s.get("pattern"), str):
        out["re"] = s["pattern"]
    if "minLength" in s or "maxLength" in s:
        out["ln"] = [s.get("minLength"), s.get("maxLength")]
    if "minimum" in s or "maximum" in s:
        out["nm"] = [s.get("minimum"), s.get("maximum")]
    if "minItems" in s or "maxItems" in s:
        out["it"] = [s.get("minItems"), s.get("maxItems")]
    if isinstance(s.get("items"), dict):
        out["i"] = shape(s["items"])
    if isinstance(s.get("properties"), dict):
        out["p"] = {k: shape(v) for k, v in s["properties"].items()}
    if isinstance(s.get("required"), list) and s["required"]:
        out["r"] = s["required"]
    if s.get("additionalProperties") is False:
        out["x"] = 1
    if isinstance(s.get("patternProperties"), dict):
        out["pp"] = [[k, shape(v)] for k, v in s["patternProperties"].items()]
    alts = (s.get("oneOf") or []) + (s.get("anyOf") or [])
    alts = [shape(a) for a in alts]
    # An alternative that constrains nothing (cfn-lint's relationship hints)
    # makes the whole choice accept anything.
    if alts and all(alts):
        out["one"] = alts
    return out


def attr_path(p):
    parts = p.split("/")[2:]  # "/properties/A/B" -> A, B
    return ".".join(parts) if "*" not in parts else None


def getatt_paths(s, node, path, depth=0):
    """Every attribute `Fn::GetAtt` can name under a property of a type whose
    properties all are attributes: scalars and lists of scalars, through
    nested objects (`A.B`), never into a list of objects."""
    if depth > 16:
        return []
    ref = node.get("$ref")
    if ref and ref.startswith("#/definitions/"):
        target = (s.get("definitions") or {}).get(ref[len("#/definitions/"):])
        return getatt_paths(s, target, path, depth + 1) if target else [path]
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    if "object" in types:
        out = []
        for prop, value in (node.get("properties") or {}).items():
            out += getatt_paths(s, value, f"{path}.{prop}", depth + 1)
        return out
    if "array" in types:
        items = node.get("items") or {}
        item_types = items.get("type")
        if item_types in ("object", "array"):
            return []
        return [path]
    return [path]


def extra_getatts(type_name, s, ro):
    """What `Fn::GetAtt` takes on `type_name` besides its read-only properties."""
    out = set()
    if type_name in GETATT_ALL_PROPERTIES:
        for prop, value in (s.get("properties") or {}).items():
            out.update(getatt_paths(s, value, prop))
    else:
        out.update(GETATT_EXCEPTIONS.get(type_name, []))
    return sorted(a for a in out if a not in ro)


def pick_service(type_name, handlers, services):
    """The IAM service prefix of a type: the prefix most of its create handler's
    actions use, else the CloudFormation service name lower-cased."""
    counts = {}
    for a in handlers.get("create", []) + handlers.get("read", []):
        prefix = a.split(":")[0]
        counts[prefix] = counts.get(prefix, 0) + 1
    cfn_service = type_name.split("::")[1]
    candidates = sorted(counts, key=lambda k: (-counts[k], k))
    for c in candidates:
        if c in services and norm(c) in (norm(cfn_service), norm(cfn_service)[: len(norm(c))]):
            return c
    if norm(cfn_service) in services:
        return norm(cfn_service)
    return candidates[0] if candidates and candidates[0] in services else None


def pick_resource_type(name, rtypes):
    """The IAM resource type whose name matches a CloudFormation type's or
    attribute's name (`Table` -> `table`, `StateMachine` -> `stateMachine`)."""
    want = norm(name)
    by_norm = {}
    for r in rtypes:
        by_norm.setdefault(norm(r), r)
    if want in by_norm:
        return by_norm[want]
    # `DBCluster` -> `cluster`, `LogGroup` -> `log-group`, `RestApi` -> `restapis`.
    for cand in (want + "s", want.rstrip("s")):
        if cand in by_norm:
            return by_norm[cand]
    return None


def arn_attribute(type_name, ro, identifiers):
    resource = type_name.split("::")[2]
    for cand in ("Arn", f"{resource}Arn"):
        if cand in ro:
            return cand
    if len(identifiers) == 1 and identifiers[0].endswith("Arn"):
        return "Ref"
    # Another `…Arn` attribute is often another resource's ARN (an API's
    # `ExecuteApiArn`, a profile's `KmsKeyArn`): not assumed to be this one's.
    return None


def iam_mapping(type_name, ro, identifiers, handlers, services):
    """(arn attribute, {attribute: [service, resource type]}, no IAM type?)"""
    resource = type_name.split("::")[2]
    arn_attr = arn_attribute(type_name, ro, identifiers)
    if type_name in IAM_OVERRIDES:
        over = IAM_OVERRIDES[type_name]
        if over is None:
            return None, {}, True
        if over == "ambiguous":
            return arn_attr, {}, False
        if over[0] not in services or over[1] not in services[over[0]]:
            raise SystemExit(f"IAM_OVERRIDES: {type_name}: no IAM resource type {over}")
        arn_attr = over[2] if len(over) > 2 else arn_attr
        if arn_attr is None:
            return None, {}, False
        return arn_attr, {arn_attr: list(over[:2])}, False
    service = pick_service(type_name, handlers, services)
    if service is None:
        return arn_attr, {}, True
    rtypes = services[service]
    out = {}
    main = pick_resource_type(resource, rtypes)
    if arn_attr and main:
        out[arn_attr] = [service, main]
    # Other ARN attributes (`StreamArn` -> `stream`).
    for a in ro:
        if a == arn_attr or not a.endswith("Arn") or "." in a:
            continue
        rt = pick_resource_type(a[: -len("Arn")], rtypes)
        if rt:
            out[a] = [service, rt]
    return arn_attr, out, main is None


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    schemas = pathlib.Path(cfnlint.__file__).parent / "data" / "schemas"
    providers = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    date = json.loads((schemas / "version.json").read_text()).get("schema_date")
    version = importlib.metadata.version("cfn-lint")
    services = iam_catalog(root / "tap-core" / "data" / "iam-catalog.txt")
    iam_source = next(
        (l[len("# source: "):] for l in (root / "tap-core/data/iam-catalog.txt").read_text().splitlines() if l.startswith("# source: ")),
        "unknown",
    )
    lines = []
    mapped = 0
    for type_name in sorted(providers):
        path = schemas / "resources" / f"{providers[type_name]}.json"
        if not path.exists():
            continue
        s = json.loads(path.read_text())
        entry = {}
        entry["p"] = {k: shape(v) for k, v in (s.get("properties") or {}).items()}
        if s.get("required"):
            entry["r"] = s["required"]
        if s.get("additionalProperties") is False:
            entry["x"] = 1
        # A type of a service AWS has shut down: CloudFormation can no longer create it.
        lifecycle = s.get("lifecycle") or {}
        if lifecycle.get("status") == "shutdown":
            entry["gone"] = lifecycle.get("date") or "unknown"
        defs = {k: shape(v) for k, v in (s.get("definitions") or {}).items()}
        if defs:
            entry["d"] = defs
        ro = [a for a in (attr_path(p) for p in s.get("readOnlyProperties") or []) if a]
        if ro:
            entry["ro"] = ro
        ga = extra_getatts(type_name, s, ro)
        if ga:
            entry["ga"] = ga
        for key, field in (("co", "createOnlyProperties"), ("wo", "writeOnlyProperties"), ("id", "primaryIdentifier")):
            vals = [a for a in (attr_path(p) for p in s.get(field) or []) if a]
            if vals:
                entry[key] = vals
        handlers = {}
        override = HANDLER_OVERRIDES.get(type_name)
        for h in HANDLERS:
            if override is not None:
                perms = sorted(set(override.get(h, [])))
            else:
                perms = sorted(set(((s.get("handlers") or {}).get(h) or {}).get("permissions") or []))
            if perms:
                handlers[h] = perms
        if handlers:
            entry["h"] = handlers
        arn_attr, iam, noiam = iam_mapping(type_name, ro, entry.get("id", []), handlers, services)
        if arn_attr:
            entry["arn"] = arn_attr
        if iam:
            entry["iam"] = iam
            mapped += 1
        if noiam:
            entry["noiam"] = 1
        lines.append(f"{type_name}\t{json.dumps(entry, separators=(',', ':'), sort_keys=True)}")
    out = [
        "# CloudFormation resource type catalog. Generated by scripts/gen-cfn-catalog.py; do not edit.",
        f"# source: the resource provider schemas in PyPI cfn-lint {version} (MIT-0), us-east-1, schema date {date}",
        f"# IAM mapping: tap-core/data/iam-catalog.txt ({iam_source})",
        f"# {len(lines)} types, {mapped} mapped to an IAM resource type",
    ]
    out += [f"#format\t{name}\t{pattern}" for name, pattern in FORMATS.items()]
    sys.stdout.write("\n".join(out + lines) + "\n")


if __name__ == "__main__":
    main()
