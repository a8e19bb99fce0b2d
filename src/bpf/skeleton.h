// Skeleton<T>: a move-only owner of a bpftool-generated skeleton, with fallible open/load.
// Programs are attached one by one into Links by the sensor (no auto-attach), so errors are
// reported per hook and optional hooks can degrade.
#pragma once

#include <cerrno>
#include <string>
#include <utility>

#include <octagon/base/result.h>
#include <octagon/bpf/libbpf_log.h>

namespace octagon::bpf {

template <typename T, T* (*OpenFn)(), int (*LoadFn)(T*), void (*DestroyFn)(T*)>
class Skeleton {
 public:
  Skeleton() = default;
  Skeleton(Skeleton&& o) noexcept : obj_(std::exchange(o.obj_, nullptr)) {}
  Skeleton& operator=(Skeleton&& o) noexcept {
    if (this != &o) {
      reset();
      obj_ = std::exchange(o.obj_, nullptr);
    }
    return *this;
  }
  Skeleton(const Skeleton&) = delete;
  Skeleton& operator=(const Skeleton&) = delete;
  ~Skeleton() { reset(); }

  static Result<Skeleton> open(const std::string& name) {
    Skeleton s;
    clear_libbpf_log();
    s.obj_ = OpenFn();
    if (!s.obj_) return make_error(errno ? errno : EINVAL, "open BPF object " + name);
    return s;
  }

  // Loads every program marked for autoload into the kernel. On failure the error carries
  // the tail of the verifier log.
  Result<void> load(const std::string& name) {
    clear_libbpf_log();
    int err = LoadFn(obj_);
    if (err) {
      return make_error(-err, "load BPF object " + name + " (libbpf log tail: " +
                                  libbpf_log_tail(600) + ")");
    }
    return ok();
  }

  T* get() const { return obj_; }
  // Gives up ownership (the caller destroys the object).
  T* release() { return std::exchange(obj_, nullptr); }
  T* operator->() const { return obj_; }

 private:
  void reset() {
    if (obj_) DestroyFn(obj_);
    obj_ = nullptr;
  }
  T* obj_ = nullptr;
};

}  // namespace octagon::bpf
