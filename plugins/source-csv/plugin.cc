// Exports the csv source plugin.
#include "sluice/plugin.h"

#include "csv_source.h"

SLUICE_PLUGIN(sluice::csv::CsvSource, "csv", SLUICE_PLUGIN_VERSION,
              "tables from CSV files and directories of CSV files, with schema inference")
