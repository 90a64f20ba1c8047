// json_report: the public JSON form of a run (see docs/json-report.md; names are a contract).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "run/spawn.hpp"
#include "judge/verdict.hpp"

namespace conclab {

nlohmann::json to_json(const RunResult& run, const Judgement& judgement);

// Writes the report; throws HarnessError naming the file when it cannot.
void write_json(const std::filesystem::path& file, const nlohmann::json& report);

}  // namespace conclab
