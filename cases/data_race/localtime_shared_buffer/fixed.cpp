// Bug: two threads turn their own timestamps into dates with localtime(), which returns a pointer
//   to one static struct tm for the whole process: the other thread's call overwrites it before
//   the first thread has read its fields. Symptom: the 2024-03-01 audit event is filed on 1999-12-31.
// Fix: localtime_r(), which fills a struct tm the caller owns.
// Tools: release and ASan show only the wrong result; TSan reports a data race on the static tm
//   (its localtime interceptor marks it written by each call), in day_of.
#include <cstdlib>
#include <ctime>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

// The date of `when` in the local time zone as YYYYMMDD. Given gates, it pauses between the
// conversion and the reads of its fields.
long day_of(std::time_t when, Gate* converted = nullptr, Gate* resume = nullptr) {
  std::tm fields;
  const std::tm* local = localtime_r(&when, &fields);  // this call's own struct tm
  if (converted != nullptr) {
    converted->open();
    resume->wait();
  }
  return (local->tm_year + 1900) * 10000L + (local->tm_mon + 1) * 100L + local->tm_mday;
}

Gate audit_converted;   // thread A holds its struct tm pointer and has not read it yet
Gate report_converted;  // thread B's conversion has returned

int main() {
  setenv("TZ", "UTC", 1);  // the same dates on every machine
  long audit_day = 0, report_day = 0;
  std::thread audit([&] {  // 2024-03-01 09:30:00 UTC
    audit_day = day_of(1709285400, &audit_converted, &report_converted);
  });
  std::thread report([&] {
    audit_converted.wait();
    report_day = day_of(946684799);  // 1999-12-31 23:59:59 UTC
    report_converted.open();
  });
  audit.join();
  report.join();
  if (int failed = conclab::fixture::expect_eq(audit_day, 20240301, "day of the audit event")) return failed;
  return conclab::fixture::expect_eq(report_day, 19991231, "day of the report");
}
