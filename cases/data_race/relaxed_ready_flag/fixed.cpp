// Bug (fixed here): "calibration complete" was a relaxed atomic store, checked with a relaxed load,
//   which ordered nothing else: the calibration itself was written and read in a data race.
// Fix: the release store orders the calibration's writes before it; the acquire load that reads
//   true orders the reads after it ([atomics.order], [intro.races]).
// Tools: release, ASan and ThreadSanitizer all report nothing.
#include <atomic>
#include <thread>

#include "conclab/invariant.hpp"

struct Calibration {
  double offset = 0;
  double gain = 1;
};

Calibration calibration;              // written once by the calibrator, then read by the sensor
std::atomic<bool> calibrated{false};  // "calibration is complete"

void calibrate() {
  calibration.offset = -2.5;
  calibration.gain = 1.25;
  calibrated.store(true, std::memory_order_release);  // publishes the writes above
}

// Converts a raw reading once the calibration is in place.
double read_calibrated(double raw) {
  while (!calibrated.load(std::memory_order_acquire)) std::this_thread::yield();
  return (raw + calibration.offset) * calibration.gain;
}

int main() {
  double reading = 0;
  std::thread sensor([&] { reading = read_calibrated(10.5); });
  std::thread calibrator(calibrate);
  sensor.join();
  calibrator.join();
  const auto hundredths = static_cast<long long>(reading * 100);
  return conclab::fixture::expect_eq(hundredths, 1000, "calibrated reading, in hundredths");
}
