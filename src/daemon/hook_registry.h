// HookRegistry: hook id -> how to render that hook's events. Written when policies are loaded
// or unloaded, read by the ring buffer thread for every policy record.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include <octagon/policy/plan.h>

namespace octagon::daemon {

class HookRegistry {
 public:
  uint32_t add(policy::HookRender render) {
    std::unique_lock l(mu_);
    uint32_t id = next_id_++;
    hooks_[id] = std::make_shared<const policy::HookRender>(std::move(render));
    return id;
  }
  void remove(uint32_t id) {
    std::unique_lock l(mu_);
    hooks_.erase(id);
  }
  std::shared_ptr<const policy::HookRender> find(uint32_t id) const {
    std::shared_lock l(mu_);
    auto it = hooks_.find(id);
    return it == hooks_.end() ? nullptr : it->second;
  }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<uint32_t, std::shared_ptr<const policy::HookRender>> hooks_;
  uint32_t next_id_ = 1;
};

}  // namespace octagon::daemon
