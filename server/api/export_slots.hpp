// export_slots.hpp — ExportSlots: how many log exports may run at once (max_concurrent_exports),
// so that many concurrent GET /api/docs/ID/log cannot together hold the server's memory.
//
// An export holds a Slot for as long as it streams; the slot's destructor gives it back.
// Thread-safe (one atomic counter).
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

namespace weft::server::api {

class ExportSlots {
 public:
  class Slot {
   public:
    Slot(Slot&& other) noexcept : slots_(std::exchange(other.slots_, nullptr)) {}
    Slot& operator=(Slot&& other) noexcept {
      if (this != &other) {
        release();
        slots_ = std::exchange(other.slots_, nullptr);
      }
      return *this;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { release(); }

   private:
    friend class ExportSlots;
    explicit Slot(ExportSlots* slots) : slots_(slots) {}
    void release() {
      if (slots_ != nullptr) std::exchange(slots_, nullptr)->in_use_.fetch_sub(1);
    }
    ExportSlots* slots_;
  };

  explicit ExportSlots(std::uint64_t max) : max_(max) {}
  ExportSlots(const ExportSlots&) = delete;
  ExportSlots& operator=(const ExportSlots&) = delete;

  // A slot, or none when max exports are running.
  [[nodiscard]] std::optional<Slot> acquire() {
    std::uint64_t now = in_use_.load();
    do {
      if (now >= max_) return std::nullopt;
    } while (!in_use_.compare_exchange_weak(now, now + 1));
    return Slot(this);
  }
  [[nodiscard]] std::uint64_t in_use() const { return in_use_.load(); }

 private:
  const std::uint64_t max_;
  std::atomic<std::uint64_t> in_use_{0};
};

}  // namespace weft::server::api
