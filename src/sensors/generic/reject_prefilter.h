// The reject prefilter of a generic hook (struct oct_gen_prefilter, abi/generic.h): conditions
// every selector of the plan requires, summarised so that the kernel drops most events no
// selector wants before it reads the rest of the plan. Only necessary conditions are put there:
// an event the prefilter passes still goes through the full selectors, and an event it rejects
// could not have matched any of them.
#pragma once

#include <cstdint>

#include <abi/generic.h>

namespace octagon::sensors {

// The prefilter for `config` (its selectors, argument kinds and mode); flags 0 when nothing can
// be summarised (no selectors, a selector without such a condition, too many values).
oct_gen_prefilter reject_prefilter(const oct_gen_config& config);

}  // namespace octagon::sensors
