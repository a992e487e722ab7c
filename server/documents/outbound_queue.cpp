// outbound_queue.cpp — OutboundQueue: frames and paced sources in write order.
#include "server/documents/outbound_queue.hpp"

#include <algorithm>
#include <utility>

namespace weft::server::documents {

OutboundQueue::OutboundQueue(std::size_t max_bytes, std::size_t low_watermark)
    : max_bytes_(max_bytes), low_watermark_(std::max<std::size_t>(low_watermark, 1)) {}

bool OutboundQueue::push(Frame frame) {
  if (bytes_ + frame->size() > max_bytes_) return false;
  bytes_ += frame->size();
  if (waiting_.empty()) {
    ready_bytes_ += frame->size();
    ready_.push_back(std::move(frame));
  } else {
    waiting_.emplace_back(std::move(frame));
  }
  return true;
}

void OutboundQueue::push(std::shared_ptr<FrameSource> source) {
  waiting_.emplace_back(std::move(source));
  refill();
}

const OutboundQueue::Frame* OutboundQueue::front() {
  if (ready_.empty()) refill();
  return ready_.empty() ? nullptr : &ready_.front();
}

void OutboundQueue::pop() {
  if (ready_.empty()) return;
  ready_bytes_ -= ready_.front()->size();
  bytes_ -= ready_.front()->size();
  ready_.pop_front();
  refill();
}

void OutboundQueue::drop_all_but_front() {
  while (ready_.size() > 1) {
    ready_bytes_ -= ready_.back()->size();
    bytes_ -= ready_.back()->size();
    ready_.pop_back();
  }
  waiting_.clear();
  bytes_ = ready_bytes_;
}

void OutboundQueue::drop_sources() {
  waiting_.clear();
  bytes_ = ready_bytes_;
}

void OutboundQueue::clear() {
  ready_.clear();
  waiting_.clear();
  ready_bytes_ = 0;
  bytes_ = 0;
}

void OutboundQueue::refill() {
  while (!waiting_.empty() && ready_bytes_ < low_watermark_) {
    auto& source = std::get<std::shared_ptr<FrameSource>>(waiting_.front());
    if (Frame frame = source->next()) {
      ready_bytes_ += frame->size();
      bytes_ += frame->size();
      ready_.push_back(std::move(frame));
      continue;
    }
    waiting_.pop_front();
    while (!waiting_.empty() && std::holds_alternative<Frame>(waiting_.front())) {
      Frame frame = std::get<Frame>(std::move(waiting_.front()));
      waiting_.pop_front();
      ready_bytes_ += frame->size();  // already in bytes_
      ready_.push_back(std::move(frame));
    }
  }
}

}  // namespace weft::server::documents
