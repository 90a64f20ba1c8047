// render: what conclab prints for people.
#pragma once

#include <cstdio>
#include <string>

#include "run/spawn.hpp"
#include "judge/verdict.hpp"

namespace conclab::cli {

// The outcome, each finding's summary and the top frames in the program's own code.
void print_verdict(std::FILE* out, const RunResult& run, const Judgement& judgement);

std::string describe_exit(const RunResult& run);

}  // namespace conclab::cli
