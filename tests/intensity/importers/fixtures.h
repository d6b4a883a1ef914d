// Helpers for the importer tests: the fixture folder and a one-call import.
#pragma once

#include <filesystem>
#include <string>

#include "greenrun/base/text_reader.h"
#include "intensity/importers/importer.h"
#include "testing/paths.h"

namespace greenrun::intensity::testing {

inline std::filesystem::path fixture(const std::string& file) {
  return ::greenrun::testing::source_dir() / "tests/intensity/importers/fixtures" / file;
}

// Imports a fixture by its path (so messages name the file).
inline Result<ImportResult> import_fixture(const std::string& file, ImportOptions options = {}) {
  return import_file(fixture(file).string(), options);
}

}  // namespace greenrun::intensity::testing
