# sluice_add_plugin(): build a sluice plugin module against Sluice::SDK.
# Installed with the SluiceSDK package and included by SluiceSDKConfig.cmake.
#
#   sluice_add_plugin(<target>
#                     SOURCES <file>...                 # required
#                     [LIBS <library>...]               # linked PRIVATE
#                     [OUTPUT_DIRECTORY <dir>]          # where the .so is built
#                     [INSTALL_DESTINATION <dir>]       # adds an install() rule
#                     [VERSION <version>])              # SLUICE_PLUGIN_VERSION
#
# A project that builds several plugins may set SLUICE_PLUGIN_OUTPUT_DIRECTORY,
# SLUICE_PLUGIN_INSTALL_DESTINATION and SLUICE_PLUGIN_VERSION once instead:
# they are the defaults of the three arguments (sluice's own plugins are
# built so). VERSION, when given or defaulted, is the compile definition
# SLUICE_PLUGIN_VERSION (a string), for SLUICE_PLUGIN()'s version argument.
#
# Produces <target>.so (no "lib" prefix) as a MODULE library that links
# Sluice::SDK, is compiled with hidden visibility (only the entry symbol
# SLUICE_PLUGIN() marks visible is exported) and is linked with
# -Wl,--no-undefined, so a missing symbol fails the link instead of the
# host's load. Static libraries passed in LIBS must be compiled as
# position-independent code (set CMAKE_POSITION_INDEPENDENT_CODE ON).
include_guard(GLOBAL)

function(sluice_add_plugin target)
  cmake_parse_arguments(P "" "OUTPUT_DIRECTORY;INSTALL_DESTINATION;VERSION" "SOURCES;LIBS" ${ARGN})
  if(P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sluice_add_plugin(${target}): unexpected arguments "
                        "'${P_UNPARSED_ARGUMENTS}'; expected SOURCES, LIBS, "
                        "OUTPUT_DIRECTORY, INSTALL_DESTINATION or VERSION")
  endif()
  foreach(arg OUTPUT_DIRECTORY INSTALL_DESTINATION VERSION)
    if(NOT P_${arg} AND SLUICE_PLUGIN_${arg})
      set(P_${arg} "${SLUICE_PLUGIN_${arg}}")
    endif()
  endforeach()
  if(NOT P_SOURCES)
    message(FATAL_ERROR "sluice_add_plugin(${target}): no SOURCES given; list the .cc files, "
                        "one of which uses SLUICE_PLUGIN(...)")
  endif()
  add_library(${target} MODULE ${P_SOURCES})
  target_link_libraries(${target} PRIVATE Sluice::SDK ${P_LIBS})
  if(P_VERSION)
    target_compile_definitions(${target} PRIVATE SLUICE_PLUGIN_VERSION="${P_VERSION}")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(P_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${P_OUTPUT_DIRECTORY})
  endif()
  if(NOT APPLE)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  if(P_INSTALL_DESTINATION)
    install(TARGETS ${target} LIBRARY DESTINATION ${P_INSTALL_DESTINATION})
  endif()
endfunction()
