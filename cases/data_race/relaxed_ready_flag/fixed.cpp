// Bug: the calibrator writes the calibration, then sets an atomic flag memory_order_relaxed; the
//   sensor thread loads the flag relaxed, then reads the calibration. The flag is race-free, but
//   relaxed orders nothing else: the calibration's write and read are a data race.
// Symptom: none on x86, whose plain loads and stores already acquire and release; ARM or POWER
//   can show the flag set and the calibration stale. Fix: a release store and an acquire load.
// Tools: release and ASan see nothing wrong; TSan reports a data race in read_calibrated().
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
