// Exports the csv source plugin.
#include "csv_source.h"
#include "sluice/plugin.h"

SLUICE_PLUGIN(sluice::csv::CsvSource, "csv", "0.1.0",
              "tables from CSV files and directories of CSV files, with schema inference")
