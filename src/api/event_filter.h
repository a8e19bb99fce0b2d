// EventFilter: a GetEventsRequest's allow_list / deny_list, compiled once per client and applied
// to each GetEventsResponse (Tetragon semantics: an event passes when the allow list is empty or
// one allow filter matches, and no deny filter matches; inside one Filter every set field must
// match; inside one field any value may match). Regexes are RE2 (Tetragon's syntax), matched
// unanchored like Go's MatchString.
//
// Supported Filter fields: binary_regex, namespace (process.pod.namespace; "" = host processes),
// health_check (Octagon sends no health-check events: true never matches, false always does),
// pid, pid_set (the pids and their descendants, learned from exec events as they pass),
// event_set, pod_regex, arguments_regex, policy_names, parent_binary_regex,
// parent_arguments_regex, container_id (regex on process.docker), ancestor_binary_regex,
// container_name_regex, namespace_regex,
// labels (Kubernetes label selectors, label_selector.h, OR across strings, against
// process.pod.pod_labels; an event without a pod never matches, as in Tetragon),
// capabilities (CapFilter: permitted/effective/inheritable, each a CapFilterSet with exactly one
// of any/all/exactly/none, against process.cap; refused unless the agent runs with
// --enable-process-cred, as in Tetragon), in_init_tree (process.in_init_tree; unset reads false).
// Refused with UNIMPLEMENTED: cel_expression (no CEL evaluator). (field_filters:
// field_filter.h; aggregation_options: aggregator.h.)
// Refused with INVALID_ARGUMENT: a bad regex (named with the field), an event_set value that is
// not an EventType, a bad label selector (named), a capability set with zero or several match
// sets.
//
// Not thread-safe: pid_set learns descendants as events pass; one filter per client, used by
// one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <octagon/base/result.h>
#include <tetragon/events.pb.h>

namespace octagon::api {

struct CompiledFilter;

// What the agent puts in events, for the fields that depend on it.
struct FilterOptions {
  bool process_cred = true; // --enable-process-cred: process.cap is set (capability filters)
};

class EventFilter {
public:
  // Errors carry EINVAL (-> INVALID_ARGUMENT) or ENOSYS (-> UNIMPLEMENTED).
  static Result<EventFilter> create(const tetragon::GetEventsRequest& request,
                                    const FilterOptions& options = {});
  // allow/deny lists only (the CLI's local filtering of stdin events).
  static Result<EventFilter>
  create(const google::protobuf::RepeatedPtrField<tetragon::Filter>& allow,
         const google::protobuf::RepeatedPtrField<tetragon::Filter>& deny,
         const FilterOptions& options = {});

  EventFilter(EventFilter&&) noexcept;
  EventFilter& operator=(EventFilter&&) noexcept;
  ~EventFilter();

  bool matches(const tetragon::GetEventsResponse& event);

private:
  EventFilter();
  std::vector<std::unique_ptr<CompiledFilter>> allow_, deny_;
};

// The Process messages every event type carries (null when absent).
const tetragon::Process* event_process(const tetragon::GetEventsResponse& event);
const tetragon::Process* event_parent(const tetragon::GetEventsResponse& event);
// policy_name of policy events; empty for others.
const std::string& event_policy_name(const tetragon::GetEventsResponse& event);

} // namespace octagon::api
