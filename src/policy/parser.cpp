// parse_policy(): the document, metadata and spec levels. Hooks, selectors and the rest of the
// spec are in parse_*.cpp; cross-field rules in validate*.cpp.
#include <octagon/policy/parse_internal.h>
#include <octagon/policy/parser.h>

#include <cctype>
#include <cerrno>
#include <exception>

namespace octagon::policy {
namespace {

using detail::MapReader;
using detail::ParseContext;

constexpr std::string_view kApiVersion = "cilium.io/v1alpha1";

const std::vector<std::string_view> kTopFields = {"apiVersion", "kind", "metadata", "spec"};
const std::vector<std::string_view> kMetadataFields = {"name", "namespace", "labels",
                                                       "annotations"};
constexpr std::string_view kServerSet =
    "this field is set by the Kubernetes API server, not by policy authors; remove it";
const std::vector<detail::RetiredField> kServerFields = {
    {"uid", kServerSet},           {"resourceVersion", kServerSet},
    {"generation", kServerSet},    {"creationTimestamp", kServerSet},
    {"managedFields", kServerSet}, {"deletionTimestamp", kServerSet},
    {"selfLink", kServerSet},      {"generateName", "give the policy a fixed 'name'"},
    {"finalizers", kServerSet},    {"ownerReferences", kServerSet},
};
const std::vector<std::string_view> kSpecFields = {
    "kprobes",  "fentries",    "tracepoints",       "uprobes",      "usdts",
    "lsmhooks", "lists",       "enforcers",         "options",      "selectorsMacros",
    "loader",   "podSelector", "containerSelector", "hostSelector", "nodeSelector",
};

// Kubernetes object names are DNS-1123 subdomains; the name also ends up in BPF pin paths.
bool is_dns_subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253)
    return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back()))
    return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '.')
      return false;
  }
  return true;
}

Result<void> parse_metadata(MapReader& top, TracingPolicy& policy) {
  ParseContext& ctx = top.ctx();
  if (!top.has("metadata")) {
    return ctx.fail(top.field("metadata"), "missing required field",
                    "add 'metadata: {name: my-policy}'");
  }
  OCTAGON_ASSIGN_OR_RETURN(MapReader meta, MapReader::open(ctx, top.node("metadata"), "metadata",
                                                           kMetadataFields, kServerFields));
  policy.metadata_pos = meta.pos();
  OCTAGON_ASSIGN_OR_RETURN(policy.name,
                           meta.string("name", true, "every policy needs a unique name"));
  if (!is_dns_subdomain(policy.name)) {
    return ctx.fail(meta.field("name"), "invalid policy name '" + policy.name + "'",
                    "use lower-case letters, digits, '-' and '.', starting and ending with a "
                    "letter or digit (a Kubernetes object name)");
  }
  OCTAGON_ASSIGN_OR_RETURN(policy.namespace_name, meta.string("namespace", false));
  OCTAGON_ASSIGN_OR_RETURN(policy.labels, meta.string_map("labels"));
  OCTAGON_ASSIGN_OR_RETURN(policy.annotations, meta.string_map("annotations"));
  if (policy.kind == PolicyKind::kTracingPolicyNamespaced && policy.namespace_name.empty()) {
    return ctx.fail(meta.field("namespace"), "missing required field",
                    "a TracingPolicyNamespaced applies to the pods of one namespace: name it");
  }
  if (policy.kind == PolicyKind::kTracingPolicy && !policy.namespace_name.empty()) {
    ctx.warn(meta.field("namespace"), "ignored: a TracingPolicy is cluster-wide",
             "use kind TracingPolicyNamespaced to limit it to one namespace");
  }
  return ok();
}

Result<void> parse_spec(MapReader& top, TracingPolicy& policy) {
  ParseContext& ctx = top.ctx();
  if (!top.present("spec")) {
    return ctx.fail(top.field("spec"), "missing required field",
                    "add a 'spec:' with the hooks to trace (kprobes, tracepoints, uprobes...)");
  }
  OCTAGON_ASSIGN_OR_RETURN(MapReader spec,
                           MapReader::open(ctx, top.node("spec"), "spec", kSpecFields));
  policy.spec_pos = spec.pos();
  OCTAGON_ASSIGN_OR_RETURN(policy.loader, spec.boolean("loader", false));
  OCTAGON_TRY(detail::parse_policy_extras(spec, policy));
  OCTAGON_TRY(detail::parse_hooks(spec, policy));
  if (policy.kind == PolicyKind::kTracingPolicyNamespaced && spec.present("hostSelector")) {
    return ctx.fail(spec.field("hostSelector"), "not allowed in a TracingPolicyNamespaced",
                    "a namespaced policy only applies to pods; remove hostSelector or use "
                    "kind TracingPolicy");
  }
  const bool no_hooks = policy.kprobes.empty() && policy.fentries.empty() &&
                        policy.tracepoints.empty() && policy.uprobes.empty() &&
                        policy.usdts.empty() && policy.lsmhooks.empty();
  if (no_hooks && !policy.loader) {
    ctx.warn(spec.pos(), "the policy has no hooks and will observe nothing",
             "add kprobes, tracepoints, uprobes, usdts, lsmhooks or 'loader: true'");
  }
  return ok();
}

Result<TracingPolicy> parse_document(ParseContext& ctx, const YAML::Node& root) {
  TracingPolicy policy;
  policy.source = ctx.file();
  OCTAGON_ASSIGN_OR_RETURN(MapReader top, MapReader::open(ctx, root, "", kTopFields));
  policy.pos = top.pos();
  OCTAGON_ASSIGN_OR_RETURN(
      std::string api, top.string("apiVersion", true, "write 'apiVersion: cilium.io/v1alpha1'"));
  if (api != kApiVersion) {
    return ctx.fail(top.field("apiVersion"), "unsupported apiVersion '" + api + "'",
                    "write 'apiVersion: cilium.io/v1alpha1'");
  }
  OCTAGON_ASSIGN_OR_RETURN(std::string kind,
                           top.string("kind", true, "write 'kind: TracingPolicy'"));
  std::optional<PolicyKind> k = parse_enum<PolicyKind>(kind);
  if (!k) {
    return ctx.fail(top.field("kind"), "unsupported kind '" + kind + "'",
                    suggest(kind, enum_names<PolicyKind>()));
  }
  policy.kind = *k;
  OCTAGON_TRY(parse_metadata(top, policy));
  OCTAGON_TRY(parse_spec(top, policy));
  OCTAGON_TRY(detail::expand_macros(ctx, policy));
  OCTAGON_TRY(detail::validate_policy(ctx, policy));
  policy.warnings = ctx.take_warnings();
  return policy;
}

} // namespace

Result<TracingPolicy> parse_policy(std::string_view yaml_text, std::string_view source_name) {
  ParseContext ctx{std::string(source_name)};
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml_text));
    std::vector<YAML::Node> policies;
    for (const YAML::Node& d : docs) {
      if (d.IsDefined() && !d.IsNull())
        policies.push_back(d);
    }
    if (policies.empty()) {
      return ctx.fail(SourcePos{}, "no policy in this file",
                      "a policy starts with 'apiVersion: cilium.io/v1alpha1'");
    }
    if (policies.size() > 1) {
      SourcePos second;
      second.mark = detail::mark_of(policies[1]);
      return ctx.fail(second, "a second YAML document: one policy per file",
                      "Tetragon reads one policy per --tracing-policy file; put each policy "
                      "in its own file (a policy directory loads them all)");
    }
    return parse_document(ctx, policies[0]);
  } catch (const YAML::Exception& e) {
    SourcePos where;
    if (!e.mark.is_null()) {
      where.mark =
          Mark{static_cast<uint32_t>(e.mark.line) + 1, static_cast<uint32_t>(e.mark.column) + 1};
    }
    return ctx.fail(where, "invalid YAML: " + e.msg,
                    "check the indentation, quoting and brackets around this position");
  } catch (const std::exception& e) { // std::bad_alloc and the like: never throw out
    return make_error(ENOMEM, std::string(source_name) + ": parsing the policy: " + e.what());
  }
}

} // namespace octagon::policy
