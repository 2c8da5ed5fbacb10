#!/usr/bin/env python3
"""Generate tap-app/data/security-properties.txt: the properties of every
CloudFormation resource type that decide who gets access to what, derived
from the resource provider schemas PyPI `cfn-lint` ships (the same schemas
scripts/gen-cfn-catalog.py reads; MIT-0).

The deploy approval gate (`--require-approval broadening`) reads the file to
see every change that may widen access. The list is derived, not written by
hand: every type's property tree is walked (following `$ref` definitions,
array items as `*`, oneOf/anyOf alternatives merged; read-only properties
left out), and each property is classified by its name, JSON type and
description (and cfn-lint's `format` hints, e.g. `AWS::IAM::Role.Arn`).
What the rules get wrong is corrected in the reviewed lists below, each entry
with its reason.

Run (the test command never needs to; the output is committed):
    .venv/bin/python scripts/gen-security-properties.py > tap-app/data/security-properties.txt

Format: `#` comment lines (source, counts), then one line per property,
sorted:
    <type name>\t<path>\t<category>
The path names the property from the type's `Properties` down, `/` between
levels, `*` for the items of a list (`SecurityGroupIngress/*/CidrIp`). A
classified object or list stands for everything inside it (the gate compares
it whole), so its members are not listed again, except under `public`
(`PublicAccessBlockConfiguration` and each of its switches).

Categories:
    policy          a policy document (IAM JSON policy, resource policy, trust
                    policy) or a statement element of a permission resource
                    (the `Action` a `Principal` is granted)
    principal       who is granted access: principals, accounts, org ids,
                    the users/groups/roles a policy is attached to
    role            an IAM role or instance profile a resource acts as
    managed-policy  managed policies attached (ARNs or references)
    boundary        a permissions boundary
    acl             ACLs, canned ACLs, object ownership (ACLs on/off)
    public          public-access and authorization switches
    cidr            network sources/destinations (ranges, prefix lists,
                    security groups, ports) that admit traffic
    share           whom a resource is shared with (other accounts, orgs)
"""
import importlib.metadata
import json
import pathlib
import re
import sys

import cfnlint

CATEGORIES = ["policy", "principal", "role", "managed-policy", "boundary", "acl", "public", "cidr", "share"]

# Types that only describe or filter findings, analyses or reports: their
# `Principal`, `Role`, `Cidr`... fields match what others did, they grant
# nothing. Reviewed by hand.
SKIP_TYPES = {
    "AWS::AccessAnalyzer::Analyzer",  # archive/analysis rules filter findings
    "AWS::EC2::NetworkInsightsAccessScope",  # a query over network paths
    "AWS::EC2::NetworkInsightsAnalysis",  # a query's results
    "AWS::EC2::NetworkInsightsPath",  # a query's endpoints
    "AWS::GuardDuty::Filter",  # findings filter
    "AWS::InspectorV2::Filter",  # findings filter
    "AWS::InspectorV2::CisScanConfiguration",  # scan targets
    "AWS::Macie::FindingsFilter",  # findings filter
    "AWS::SecurityHub::AutomationRule",  # findings criteria
    "AWS::SecurityHub::AutomationRuleV2",  # findings criteria
    "AWS::SecurityHub::Insight",  # findings filter
    "AWS::IoT::AccountAuditConfiguration",  # audit check switches
    "AWS::CloudFormation::GuardHook",  # stack filters select stacks to check
    "AWS::CloudFormation::LambdaHook",  # stack filters select stacks to check
}

# --- policy -----------------------------------------------------------------

POLICY_NAME = re.compile(
    r"(Policy|PolicyDocument|PolicyDocuments|PolicyText|Policies|PolicyJson)$"
)
# A description that says the value is an access policy (IAM JSON).
POLICY_DESC = re.compile(
    r"IAM|permission|access polic|resource[- ]based|resource polic|trust polic|"
    r"policy document|endpoint policy|key policy|repository polic|bucket polic|"
    r"JSON (policy|string|document)|in JSON|access to|controls access",
    re.I,
)
# Free-form JSON named like a policy that is not an access policy. Reviewed
# by hand; the name is matched anywhere in the tree of the type.
POLICY_NOT_ACCESS = {
    ("AWS::Config::ConfigRule", "PolicyText"): "Guard rules of a Config custom policy rule",
    ("AWS::Config::OrganizationConfigRule", "PolicyText"): "Guard rules of a Config custom policy rule",
    ("AWS::Logs::LogGroup", "DataProtectionPolicy"): "masks sensitive data in log events",
    ("AWS::SNS::Topic", "DataProtectionPolicy"): "masks sensitive data in messages",
    ("AWS::Logs::AccountPolicy", "PolicyDocument"): "data protection, subscription filter or field index settings",
    ("AWS::NetworkManager::CoreNetwork", "PolicyDocument"): "the core network's routing policy",
    ("AWS::OpenSearchServerless::LifecyclePolicy", "Policy"): "data retention rules",
    ("AWS::SSM::Parameter", "Policies"): "expiration and notification policies",
    ("AWS::ResilienceHub::ResiliencyPolicy", "Policy"): "recovery objectives",
    ("AWS::IVS::Channel", "Policy"): "whether multitrack input is allowed",
    ("AWS::Cognito::UserPool", "Policies"): "password and sign-in policies",
    ("AWS::PCAConnectorAD::Template", "Policies"): "certificate application policies (OIDs)",
    ("AWS::PCAConnectorAD::Template", "ApplicationPolicies"): "certificate application policies (OIDs)",
    ("AWS::CleanRoomsML::ConfiguredModelAlgorithmAssociation", "Policies"): "privacy settings; its account lists are classified",
    ("AWS::Kendra::Index", "UserContextPolicy"): "document filtering mode (ATTRIBUTE_FILTER or USER_TOKEN)",
    ("AWS::SES::ReceiptFilter", "Policy"): "Allow or Block; the filter's Cidr is classified",
    ("AWS::SES::Tenant", "Policy"): "reputation policy",
    ("AWS::Bedrock::Guardrail", "Policies"): "Automated Reasoning policy ARNs",
    ("AWS::ElasticLoadBalancing::LoadBalancer", "Policies"): "listener/back-end TLS policies",
    ("AWS::MPA::ApprovalTeam", "Policies"): "approval policy ARNs (MPA's own)",
    ("AWS::SNS::Subscription", "DeliveryPolicy"): "HTTP delivery retries",
    ("AWS::SNS::Subscription", "FilterPolicy"): "message filter",
    ("AWS::SNS::Subscription", "RedrivePolicy"): "dead-letter queue of the subscription",
    ("AWS::SNS::Subscription", "ReplayPolicy"): "message replay of a FIFO topic",
    ("AWS::SNS::Topic", "ArchivePolicy"): "message retention of a FIFO topic",
    ("AWS::SNS::Topic", "DeliveryPolicy"): "HTTP delivery retries",
    ("AWS::ECR::Repository", "LifecyclePolicyText"): "image expiry rules",
    ("AWS::MediaStore::Container", "LifecyclePolicy"): "object expiry rules",
    ("AWS::MediaStore::Container", "MetricPolicy"): "metrics settings",
    ("AWS::StorageGateway::NFSFileShare", "NotificationPolicy"): "upload notification settings",
    ("AWS::StorageGateway::SMBFileShare", "NotificationPolicy"): "upload notification settings",
    ("AWS::WorkSpacesWeb::BrowserSettings", "BrowserPolicy"): "Chrome settings of the web portal",
}

# --- principal / share --------------------------------------------------------

PRINCIPAL_NAME = re.compile(
    r"^(Principal|Principals|PrincipalArn|PrincipalARN|PrincipalArns|PrincipalId|"
    r"PrincipalIdentifier|PrincipalOrgID|PrincipalOrgId|DataLakePrincipal|"
    r"DataLakePrincipalIdentifier|AllowedPrincipals|AuthorizedPrincipals|"
    r"DashboardViewerPrincipals|AssociatedAwsPrincipal|RolePrincipalArn|IamPrincipal|"
    r"Grantee|Admins|ReadOnlyAdmins)$"
)
# Account, organization and user lists: who is granted access when the
# description says so (`share`, `grant`, `access`, `launch permission`).
ACCOUNT_NAME = re.compile(
    r"^(Account|AccountId|AccountIds|Accounts|AwsAccountId|TargetAccounts|TargetAccountIds|"
    r"UserIds|UserGroups|OrganizationArns|OrganizationalUnitArns|OrganizationId|"
    r"AuthorizedAccountId|ReadOnlyAccessAccounts|AllowedAccountIds|TrustedAccounts)$"
)
ACCOUNT_DESC = re.compile(
    r"\bshar(e|ed|ing)\b|\bgrant|can access|access the|launch permission|authori[sz]ed to|"
    r"distribute an image",
    re.I,
)
# Elements of a permission (a `Principal` beside them): what is granted.
GRANT_ELEMENT = {"Action", "Actions", "Effect", "Condition", "Permission", "Permissions", "PermissionsWithGrantOption"}

# --- role -------------------------------------------------------------------

ROLE_NAME = re.compile(
    r"(Role|Roles|RoleArn|RoleARN|RoleArns|IAMRole|IamRoleArn|RoleName|InstanceProfile|"
    r"InstanceProfileArn|InstanceProfileName|InstanceProfileArns)$"
)
# Names that end like a role but are not an IAM role. Reviewed by hand.
NOT_IAM_ROLE = {
    "AudioDashRoles": "DASH accessibility roles of an audio track",
    "CaptionDashRoles": "DASH accessibility roles of a caption track",
    "ColumnDataRole": "QuickSight column role (dimension or measure)",
    "DatabaseAccessControlRole": "a Snowflake/Starburst database role",
    "EnvironmentUserRole": "DataZone environment user role (a label)",
    "GeographicRole": "QuickSight column geography",
    "ParticipantRole": "Transcribe call participant (agent or customer)",
    "PropertyRole": "QuickSight topic property role",
    "RoleName@AWS::IAM::Role": "the role's own name",
    "RoleName@AWS::AmazonMQ::Broker": "an LDAP attribute name",
    "UserRoleName@AWS::AmazonMQ::Broker": "an LDAP attribute name",
    "SnowflakeRole": "a Snowflake database role",
    "TargetRole": "RDS proxy endpoint READ_WRITE or READ_ONLY",
    "Role@AWS::Bedrock::Prompt": "chat message role (user or assistant)",
    "Role@AWS::Bedrock::PromptVersion": "chat message role (user or assistant)",
    "Role@AWS::EKS::Capability": "Argo CD role (ADMIN, EDITOR, VIEWER)",
    "InstanceProfileName@AWS::IAM::InstanceProfile": "the instance profile's own name",
    "InstanceProfileName@AWS::DMS::InstanceProfile": "a DMS instance profile (network settings), not IAM",
    "InstanceProfileArn@AWS::DMS::MigrationProject": "a DMS instance profile (network settings), not IAM",
    "InstanceProfileName@AWS::DMS::MigrationProject": "a DMS instance profile (network settings), not IAM",
    "MasterBackendRole": "a SAML backend role: classified as principal (OVERRIDES)",
    "StreamsKmsRole": "a KMS key or alias ARN",
    "Role@AWS::Grafana::Workspace": "the name of a SAML assertion attribute",
    "Roles@AWS::IdentityStore::User": "a user's job roles (directory data)",
}

# --- managed-policy / boundary -----------------------------------------------

MANAGED_POLICY_NAME = re.compile(
    r"^(ManagedPolicyArns|ManagedPolicies|ManagedPolicyArn|CustomerManagedPolicyReferences|"
    r"CustomerManagedPolicyReference|PolicyArn|PolicyArns|AccessPolicies|SessionPolicyArn)$"
)
# `PolicyArn` that names something other than an IAM managed policy.
MANAGED_POLICY_NOT_IAM = {
    "AWS::Bedrock::AutomatedReasoningPolicy": "an Automated Reasoning policy",
    "AWS::Bedrock::AutomatedReasoningPolicyVersion": "an Automated Reasoning policy",
    "AWS::BedrockAgentCore::Policy": "an AgentCore (Cedar) policy",
    "AWS::IAM::ManagedPolicy": "the policy's own ARN",
    "AWS::MPA::ApprovalTeam": "an MPA approval policy",
    "AWS::NetworkSecurityManager::Deployment": "a network security policy",
    "AWS::NetworkSecurityManager::Policy": "a network security policy",
    "AWS::QuickSight::ApprovalPolicy": "a QuickSight approval policy",
    "AWS::QuickSight::Assignment": "a QuickSight assignment policy",
    "AWS::ResilienceHub::ResiliencyPolicy": "a resiliency policy",
    "AWS::ResilienceHubV2::Policy": "a resiliency policy",
    "AWS::ResilienceHubV2::Service": "a resiliency policy",
    "AWS::ResilienceHubV2::UserJourney": "a resiliency policy",
}
BOUNDARY_NAME = re.compile(r"^(PermissionsBoundary|PermissionBoundary|PermissionsBoundaryArn)$")

# --- acl / public / cidr -------------------------------------------------------

ACL_NAME = re.compile(
    r"^(AccessControl|AccessControlPolicy|AccessControlList|CannedAcl|CannedACL|ObjectACL|"
    r"ObjectAcl|S3ObjectAcl|ObjectOwnership|Grants|AclConfiguration)$"
)
PUBLIC_NAME = re.compile(
    r"^(PublicAccessBlockConfiguration|BlockPublicAcls|BlockPublicPolicy|IgnorePublicAcls|"
    r"RestrictPublicBuckets|PubliclyAccessible|IsPubliclyAccessible|Public|PublicAccess|"
    r"PublicConnectivity|EndpointPublicAccess|MapPublicIpOnLaunch|AssociatePublicIpAddress|"
    r"AssignPublicIp|AuthorizationType|AuthType|FunctionUrlAuthType|ResourceConfigurationAuthType|"
    r"AuthenticationType|Visibility|AllowUnauthenticatedIdentities|AnonymousAuthEnabled|"
    r"ApiKeyRequired|AllowPublicOverrides|Scheme|DirectInternetAccess|EnableDefaultInternetAccess|"
    r"EnableInternetAccess|Unauthenticated|OnUnauthenticatedRequest|AuthorizeAllGroups|"
    r"InternetGatewayBlockMode|InternetGatewayExclusionMode|IsHcxPublic|AllowExternalPrincipals)$"
)
# Matching names that are not an access switch. Reviewed by hand.
PUBLIC_NOT_ACCESS = {
    ("AWS::AppFabric::AppAuthorization", "AuthType"): "how AppFabric authenticates to the app",
    ("AWS::ApiGateway::Authorizer", "AuthType"): "a free-form label of the authorizer",
    ("AWS::AppFlow::ConnectorProfile", "AuthenticationType"): "how AppFlow authenticates outbound",
    ("AWS::AppStream::StackUserAssociation", "AuthenticationType"): "the user's directory type",
    ("AWS::AppStream::User", "AuthenticationType"): "the user's directory type",
    ("AWS::AppSync::DataSource", "AuthorizationType"): "how AppSync signs outbound HTTP calls",
    ("AWS::DataSync::LocationHDFS", "AuthenticationType"): "how DataSync authenticates to HDFS",
    ("AWS::Events::Connection", "AuthorizationType"): "how EventBridge authenticates outbound",
    ("AWS::AppMesh::Route", "Scheme"): "a route match on http/https",
    ("AWS::MediaLive::Channel", "AuthenticationScheme"): "RTMP output authentication",
    ("AWS::ImageBuilder::LifecyclePolicy", "IsPublic"): "selects AMIs for a lifecycle rule",
    ("AWS::CloudFormation::HookVersion", "Visibility"): "registry visibility of the caller's own extension",
    ("AWS::CloudFormation::ModuleVersion", "Visibility"): "registry visibility of the caller's own extension",
    ("AWS::CloudFormation::ResourceVersion", "Visibility"): "registry visibility of the caller's own extension",
    ("AWS::Connect::Workspace", "Visibility"): "which Connect users see a workspace",
    ("AWS::QuickSight::Dashboard", "Visibility"): "dashboard controls shown or hidden",
    ("AWS::QuickSight::Analysis", "Visibility"): "visual element shown or hidden",
    ("AWS::QuickSight::Template", "Visibility"): "visual element shown or hidden",
    ("AWS::Glue::ConnectionType", "AuthenticationType"): "connector authentication kinds",
    ("AWS::Glue::Connection", "AuthenticationType"): "how Glue authenticates outbound",
    ("AWS::DataZone::Connection", "AuthenticationType"): "how DataZone authenticates outbound",
    ("AWS::BedrockAgentCore::GatewayTarget", "AuthType"): "how the gateway authenticates outbound",
    ("AWS::Bedrock::DataSource", "AuthType"): "how Bedrock authenticates to the source",
    ("AWS::CodeBuild::SourceCredential", "AuthType"): "the kind of stored source credential",
    ("AWS::DMS::DataProvider", "AuthType"): "how DMS authenticates to the database",
    ("AWS::DMS::Endpoint", "AuthType"): "how DMS authenticates to the database",
    ("AWS::DataSync::LocationSMB", "AuthenticationType"): "how DataSync authenticates to SMB",
    ("AWS::DocDBElastic::Cluster", "AuthType"): "where the admin password is kept",
    ("AWS::KafkaConnect::Connector", "AuthenticationType"): "how the connector authenticates to Kafka",
    ("AWS::Kendra::DataSource", "AuthenticationType"): "how Kendra authenticates to ServiceNow",
    ("AWS::QBusiness::DataAccessor", "AuthenticationType"): "how the ISV's identity is checked (both kinds need IAM Identity Center)",
    ("AWS::QuickSight::ActionConnector", "AuthenticationType"): "how QuickSight authenticates outbound",
    ("AWS::QuickSight::DataSource", "AuthenticationType"): "how QuickSight authenticates to the database",
    ("AWS::MediaConnect::RouterOutput", "Public"): "a TLS certificate setting",
    ("AWS::SSO::Application", "Visibility"): "whether the app shows in the access portal",
}
CIDR_NAME = re.compile(
    r"^(CidrIp|CidrIpv6|CIDRIP|SourcePrefixListId|PublicAccessCidrs|CidrAllowList|"
    r"WhitelistCidr|AllowedIPRange|IpRule|PrefixListIds|TargetNetworkCidr|"
    r"SourceSecurityGroupId|SourceSecurityGroupName|SourceSecurityGroupOwnerId|"
    r"EC2SecurityGroupId|EC2SecurityGroupName|EC2SecurityGroupOwnerId|"
    r"DestinationSecurityGroupId)$"
)
# Names that are a network range only in an access rule's type. Reviewed by hand.
CIDR_IN_TYPES = {
    "AWS::EC2::NetworkAclEntry": {"CidrBlock", "Ipv6CidrBlock", "PortRange", "Protocol", "RuleAction", "Egress", "Icmp"},
    "AWS::EC2::PrefixList": {"Cidr"},
    "AWS::EC2::SecurityGroup": {"FromPort", "ToPort", "IpProtocol", "DestinationPrefixListId"},
    "AWS::EC2::SecurityGroupIngress": {"FromPort", "ToPort", "IpProtocol"},
    "AWS::EC2::SecurityGroupEgress": {"FromPort", "ToPort", "IpProtocol", "DestinationPrefixListId"},
    "AWS::GameLift::Fleet": {"IpRange", "FromPort", "ToPort", "Protocol"},
    "AWS::GameLift::ContainerFleet": {"IpRange", "FromPort", "ToPort", "Protocol"},
    "AWS::WorkSpacesWeb::IpAccessSettings": {"IpRange"},
    "AWS::MediaLive::InputSecurityGroup": {"Cidr"},
    "AWS::MediaPackage::OriginEndpoint": {"Whitelist"},
    "AWS::SageMaker::Workforce": {"Cidrs"},
    "AWS::ElasticLoadBalancingV2::ListenerRule": {"SourceIpConfig"},
    "AWS::Lightsail::Instance": {"Cidrs", "Ipv6Cidrs", "CidrListAliases", "FromPort", "ToPort"},
    "AWS::SES::ReceiptFilter": {"Cidr", "Policy"},
    "AWS::EC2::ClientVpnAuthorizationRule": {"AccessGroupId"},
}

# --- reviewed corrections -------------------------------------------------------

OVERRIDES = {
    "add": [
        ("AWS::Events::EventBusPolicy", "Statement", "policy", "a statement of the bus's resource policy"),
        ("AWS::Lambda::LayerVersionPermission", "OrganizationId", "principal", "with Principal *, the org granted"),
        ("AWS::IAM::Policy", "Users", "principal", "users the inline policy is attached to"),
        ("AWS::IAM::Policy", "Groups", "principal", "groups the inline policy is attached to"),
        ("AWS::IAM::ManagedPolicy", "Users", "principal", "users the managed policy is attached to"),
        ("AWS::IAM::ManagedPolicy", "Groups", "principal", "groups the managed policy is attached to"),
        ("AWS::IAM::UserToGroupAddition", "Users", "principal", "users given the group's permissions"),
        ("AWS::IAM::UserToGroupAddition", "GroupName", "managed-policy", "the group whose permissions are given"),
        ("AWS::IAM::User", "Groups", "managed-policy", "groups whose permissions the user gets"),
        ("AWS::IAM::GroupPolicy", "GroupName", "principal", "the group the inline policy is attached to"),
        ("AWS::IAM::UserPolicy", "UserName", "principal", "the user the inline policy is attached to"),
        ("AWS::IAM::RolePolicy", "RoleName", "principal", "the role the inline policy is attached to"),
        ("AWS::SSO::Assignment", "PermissionSetArn", "managed-policy", "the permission set assigned to PrincipalId"),
        ("AWS::EKS::AccessEntry", "KubernetesGroups", "managed-policy", "Kubernetes RBAC groups the principal joins"),
        ("AWS::EKS::AccessEntry", "Type", "public", "STANDARD or a node type: node types get node permissions"),
        ("AWS::OpenSearchService::Domain", "AdvancedSecurityOptions/SAMLOptions/MasterBackendRole", "principal", "SAML backend role given master access"),
        ("AWS::OpenSearchService::Domain", "AdvancedSecurityOptions/SAMLOptions/MasterUserName", "principal", "SAML user given master access"),
        ("AWS::OpenSearchService::Domain", "AdvancedSecurityOptions/MasterUserOptions/MasterUserARN", "principal", "IAM principal given master access"),
        ("AWS::OpenSearchService::Domain", "AdvancedSecurityOptions/Enabled", "public", "fine-grained access control off leaves only the access policy"),
        ("AWS::ServiceCatalog::PortfolioShare", "AccountId", "share", "the account the portfolio is shared with"),
        ("AWS::ServiceCatalog::PortfolioShare", "ShareTagOptions", "share", "shares the portfolio's TagOptions too"),
        ("AWS::EC2::NetworkInterfacePermission", "AwsAccountId", "share", "the account given the interface"),
        ("AWS::EC2::NetworkInterfacePermission", "Permission", "policy", "INSTANCE-ATTACH or EIP-ASSOCIATE"),
        ("AWS::EC2::VPCEndpointService", "AcceptanceRequired", "public", "false: any allowed principal connects without approval"),
        ("AWS::Lightsail::Bucket", "AccessRules/GetObject", "public", "public or private objects"),
        ("AWS::Cognito::IdentityPool", "AllowClassicFlow", "public", "the basic (classic) auth flow"),
        ("AWS::Cognito::IdentityPoolRoleAttachment", "RoleMappings", "role", "rules that map users to roles"),
        ("AWS::Lambda::Permission", "EventSourceToken", "principal", "an Alexa skill id that may invoke"),
        ("AWS::S3::AccessPoint", "VpcConfiguration", "public", "restricts the access point to a VPC"),
        ("AWS::ApiGateway::RestApi", "EndpointConfiguration", "public", "PRIVATE, REGIONAL or EDGE"),
        ("AWS::ApiGateway::Method", "AuthorizerId", "public", "the authorizer AuthorizationType uses"),
        ("AWS::ApiGatewayV2::Route", "AuthorizerId", "public", "the authorizer AuthorizationType uses"),
        ("AWS::ApiGatewayV2::Api", "DisableExecuteApiEndpoint", "public", "the default endpoint on or off"),
        ("AWS::ApiGateway::RestApi", "DisableExecuteApiEndpoint", "public", "the default endpoint on or off"),
        ("AWS::EC2::VPCEndpoint", "PrivateDnsEnabled", "public", "routes the service's public name through the endpoint"),
        ("AWS::IAM::OIDCProvider", "ClientIdList", "principal", "audiences that may federate"),
        ("AWS::IAM::OIDCProvider", "Url", "principal", "the identity provider federated identities come from"),
        ("AWS::IAM::OIDCProvider", "ThumbprintList", "principal", "which provider certificate is trusted"),
        ("AWS::IAM::SAMLProvider", "SamlMetadataDocument", "principal", "the identity provider federated identities come from"),
        ("AWS::Backup::BackupVault", "LockConfiguration", "policy", "vault lock: removing it lets backups be deleted"),
        ("AWS::Organizations::Policy", "Content", "policy", "an SCP/RCP/...: removing a deny widens"),
        ("AWS::Organizations::Policy", "TargetIds", "principal", "roots/OUs/accounts the policy applies to"),
        ("AWS::Organizations::ResourcePolicy", "Content", "policy", "the organization's resource policy"),
        ("AWS::RAM::Permission", "PolicyTemplate", "policy", "the actions a RAM customer managed permission grants"),
        ("AWS::RAM::ResourceShare", "PermissionArns", "managed-policy", "RAM managed permissions of the share"),
        ("AWS::RAM::ResourceShare", "ResourceArns", "share", "the resources shared"),
        ("AWS::RAM::ResourceAssociation", "ResourceArn", "share", "a resource added to a share"),
        ("AWS::RAM::PermissionAssociation", "PermissionArn", "managed-policy", "a RAM managed permission of a share"),
        ("AWS::Connect::DataLakeAssociation", "TargetAccountId", "share", "the account the data set is shared with"),
        ("AWS::EKS::PodIdentityAssociation", "Policy", "policy", "the session policy of the pod's role"),
        ("AWS::AIOps::InvestigationGroup", "InvestigationGroupPolicy", "policy", "the group's resource policy"),
        ("AWS::IoT::PolicyPrincipalAttachment", "PolicyName", "managed-policy", "the IoT policy attached to Principal"),
    ],
    "remove": [
        ("AWS::ECR::PullTimeUpdateExclusion", "PrincipalArn", "excludes a principal from pull-time tracking"),
    ],
}


def types_of(node):
    t = node.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return set(t)
    return set()


def is_free_json(node):
    """A free-form JSON value: an object without declared properties, a
    string that is JSON, or cfn-lint's `format: json`."""
    t = types_of(node)
    if node.get("format") == "json":
        return True
    if "object" in t:
        props = node.get("properties")
        if not props:
            return True
        return "Statement" in props or "Version" in props
    return False


class Node:
    __slots__ = ("path", "node", "desc", "siblings", "parent")

    def __init__(self, path, node, desc, siblings, parent):
        self.path, self.node, self.desc, self.siblings, self.parent = path, node, desc, siblings, parent

    @property
    def name(self):
        return self.path[-1]


def classify(type_name, n):
    """The category of one property, or None."""
    name, node, desc = n.name, n.node, n.desc
    t = types_of(node)
    enum = node.get("enum")
    fmt = node.get("format", "")
    scalar_only = t and t <= {"boolean", "integer", "number"}

    if BOUNDARY_NAME.match(name):
        return "boundary"
    if MANAGED_POLICY_NAME.match(name) and not scalar_only:
        if name == "AccessPolicies" and type_name != "AWS::EKS::AccessEntry":
            pass  # OpenSearch/Elasticsearch AccessPolicies is a policy document: below
        elif name in ("PolicyArn", "PolicyArns") and (
            type_name in MANAGED_POLICY_NOT_IAM
            or not re.search(r"IAM|managed|iam::|polic", desc + node.get("pattern", ""), re.I)
        ):
            return None
        else:
            return "managed-policy"
    if (
        (POLICY_NAME.search(name) or name == "AccessPolicies")
        and (type_name, name) not in POLICY_NOT_ACCESS
        and not enum
        and not scalar_only
    ):
        if is_free_json(node):
            return "policy"
        if "string" in t and POLICY_DESC.search(desc):
            return "policy"
        if not t and not node.get("properties") and POLICY_DESC.search(desc):
            return "policy"
        # Undescribed JSON text named like a resource policy (`ModelPolicy`,
        # `PolicyDocument`), or the `Policy` of a policy resource.
        if "string" in t and not desc:
            if re.search(r"(Resource|Access|Key|Repository|Model|Group|Bucket|Queue|Topic|Inline)(Policy|PolicyDocument|PolicyText)$|^(PolicyDocument|PolicyText)$", name):
                return "policy"
            if name == "Policy" and not node.get("pattern") and type_name.split("::")[2].endswith(("Policy", "Container", "User")):
                return "policy"
    if name in GRANT_ELEMENT and any(PRINCIPAL_NAME.match(s) for s in n.siblings):
        return "policy"
    if PRINCIPAL_NAME.match(name) and not scalar_only and not enum:
        if "Share" in type_name.split("::")[2] or any("LaunchPermission" in p or "Share" in p for p in n.path[:-1]):
            return "share"
        return "principal"
    if ACCOUNT_NAME.match(name) and not scalar_only and not enum:
        if ACCOUNT_DESC.search(desc) or any("LaunchPermission" in p or "ShareRule" in p for p in n.path[:-1]):
            return "share"
    if fmt == "AWS::IAM::Role.Arn":
        return "role"
    if ROLE_NAME.search(name) and not scalar_only and not enum:
        if name in NOT_IAM_ROLE or f"{name}@{type_name}" in NOT_IAM_ROLE:
            return None
        return "role"
    if name == "IamInstanceProfile":
        return "role"
    if ACL_NAME.match(name) and not scalar_only:
        return "acl"
    if PUBLIC_NAME.match(name):
        if (type_name, name) in PUBLIC_NOT_ACCESS:
            return None
        if name == "Scheme" and not re.search(r"internet", desc + json.dumps(enum or []), re.I) and "LoadBalanc" not in type_name and "Alb" not in "/".join(n.path):
            return None
        if name == "Visibility" and scalar_only:
            return None
        return "public"
    if CIDR_NAME.match(name):
        return "cidr"
    if name in CIDR_IN_TYPES.get(type_name, ()):
        return "cidr"
    return None


def read_only_paths(schema):
    out = []
    for p in schema.get("readOnlyProperties") or []:
        parts = p.split("/")[2:]
        if parts:
            out.append(parts)
    return out


def walk(type_name, schema, emit, all_paths):
    defs = schema.get("definitions") or {}
    ro = read_only_paths(schema)

    def is_ro(path):
        return any(path[: len(r)] == r for r in ro)

    def resolve(node, seen):
        """Follow `$ref`s; merge oneOf/anyOf/allOf alternatives' properties."""
        desc = node.get("description") or ""
        for _ in range(16):
            ref = node.get("$ref")
            if not (isinstance(ref, str) and ref.startswith("#/definitions/")):
                break
            name = ref[len("#/definitions/"):]
            if name in seen or name not in defs:
                return None, desc, seen
            seen = seen | {name}
            node = defs[name]
            desc = desc or node.get("description") or ""
        props = dict(node.get("properties") or {})
        for alt in (node.get("oneOf") or []) + (node.get("anyOf") or []) + (node.get("allOf") or []):
            if not isinstance(alt, dict):
                continue
            a, _, seen2 = resolve(alt, seen)
            if a is None:
                continue
            for k, v in (a.get("properties") or {}).items():
                props.setdefault(k, v)
            if "items" in a and "items" not in node:
                node = dict(node, items=a["items"])
            if not node.get("type") and a.get("type"):
                node = dict(node, type=a["type"])
        if props:
            node = dict(node, properties=props)
        return node, desc, seen

    def visit(path, raw, siblings, parent, seen, depth):
        if depth > 24 or is_ro(path):
            return
        node, desc, seen = resolve(raw, seen)
        if node is None:
            return
        key = "/".join(path)
        all_paths.add(key)
        cat = None
        if path[-1] != "*":
            cat = classify(type_name, Node(path, node, desc, siblings, parent))
        if cat:
            emit(key, cat)
            if cat != "public":
                return
        props = node.get("properties") or {}
        for k, v in props.items():
            if isinstance(v, dict):
                visit(path + [k], v, props.keys(), path[-1], seen, depth + 1)
        items = node.get("items")
        if isinstance(items, dict):
            visit(path + ["*"], items, (), path[-1], seen, depth + 1)

    top = schema.get("properties") or {}
    for k, v in top.items():
        if isinstance(v, dict):
            visit([k], v, top.keys(), None, frozenset(), 0)


def main() -> None:
    schemas = pathlib.Path(cfnlint.__file__).parent / "data" / "schemas"
    providers = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    date = json.loads((schemas / "version.json").read_text()).get("schema_date")
    version = importlib.metadata.version("cfn-lint")
    entries = {}
    known = {}
    for type_name in sorted(providers):
        path = schemas / "resources" / f"{providers[type_name]}.json"
        if not path.exists() or type_name in SKIP_TYPES:
            continue
        schema = json.loads(path.read_text())
        paths = set()

        def emit(key, cat, type_name=type_name):
            entries[(type_name, key)] = cat

        walk(type_name, schema, emit, paths)
        known[type_name] = paths
    # Reviewed corrections: each must still name a property the schemas have,
    # so a schema change that moves one fails here rather than silently.
    errors = []
    for type_name, key, reason in OVERRIDES["remove"]:
        if not any(k == (type_name, key) or k[0] == type_name and k[1].startswith(key + "/") for k in entries):
            errors.append(f"OVERRIDES remove: {type_name} {key}: not generated ({reason})")
        for k in [k for k in entries if k == (type_name, key) or k[0] == type_name and k[1].startswith(key + "/")]:
            del entries[k]
    for type_name, key, cat, reason in OVERRIDES["add"]:
        if key not in known.get(type_name, ()):
            errors.append(f"OVERRIDES add: {type_name} {key}: no such property ({reason})")
        elif cat not in CATEGORIES:
            errors.append(f"OVERRIDES add: {type_name} {key}: unknown category {cat}")
        elif entries.get((type_name, key)) == cat:
            errors.append(f"OVERRIDES add: {type_name} {key}: the rules already find it")
        entries[(type_name, key)] = cat
    if errors:
        raise SystemExit("\n".join(errors))
    lines = [f"{t}\t{p}\t{c}" for (t, p), c in sorted(entries.items())]
    counts = {c: 0 for c in CATEGORIES}
    for c in entries.values():
        counts[c] += 1
    out = [
        "# Security-relevant properties of every CloudFormation resource type. Generated by scripts/gen-security-properties.py; do not edit.",
        f"# source: the resource provider schemas in PyPI cfn-lint {version} (MIT-0), us-east-1, schema date {date}",
        f"# {len(lines)} properties of {len({t for t, _ in entries})} types: "
        + ", ".join(f"{c} {counts[c]}" for c in CATEGORIES),
        "# <type>\\t<path: / between levels, * for list items>\\t<category>",
    ]
    sys.stdout.write("\n".join(out + lines) + "\n")


if __name__ == "__main__":
    main()
