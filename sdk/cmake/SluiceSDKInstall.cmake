# Versions and install rules of the SDK. Included by sdk/CMakeLists.txt.
#
# Two version numbers, each defined in exactly one place:
#  - the sluice release (project(sluice VERSION ...) in the top-level
#    CMakeLists.txt), generated into sluice/version.h;
#  - the plugin ABI (SLUICE_ABI_MAJOR/MINOR in sluice/abi.h), read from that
#    header here. The SluiceSDK package and the sluice-sdk pkg-config module
#    carry the ABI version: it is what decides which hosts load a plugin.
include(CMakePackageConfigHelpers)

# ---- ABI version, read from abi.h ----
file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/include/sluice/abi.h _sluice_abi_lines
     REGEX "^#define SLUICE_ABI_(MAJOR|MINOR) +[0-9]+ *$")
foreach(part MAJOR MINOR)
  set(SLUICE_ABI_${part} "")
  foreach(line IN LISTS _sluice_abi_lines)
    if(line MATCHES "^#define SLUICE_ABI_${part} +([0-9]+)")
      set(SLUICE_ABI_${part} ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(SLUICE_ABI_${part} STREQUAL "")
    message(FATAL_ERROR "sdk/include/sluice/abi.h: no line '#define SLUICE_ABI_${part} <number>' "
                        "found; the SDK package version is read from it. Restore that define.")
  endif()
endforeach()
set(SLUICE_ABI_VERSION ${SLUICE_ABI_MAJOR}.${SLUICE_ABI_MINOR})

# ---- sluice/version.h, generated from project() ----
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/version.h.in
               ${CMAKE_CURRENT_BINARY_DIR}/include/sluice/version.h @ONLY)

# ---- install: headers, CMake package, pkg-config module ----
# Header-only and architecture-independent: package files go to share/.
set(SLUICE_SDK_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/SluiceSDK)
set(SLUICE_SDK_PKGCONFIG_DIR ${CMAKE_INSTALL_DATADIR}/pkgconfig)
if(NOT DEFINED SLUICE_INSTALL_PLUGINDIR)
  set(SLUICE_INSTALL_PLUGINDIR lib/sluice/plugins)
endif()

install(DIRECTORY include/sluice DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/include/sluice/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sluice)

install(TARGETS sluice_sdk EXPORT SluiceSDKTargets)
install(EXPORT SluiceSDKTargets NAMESPACE Sluice:: FILE SluiceSDKTargets.cmake
        DESTINATION ${SLUICE_SDK_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/SluiceSDKConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/SluiceSDKConfig.cmake
  INSTALL_DESTINATION ${SLUICE_SDK_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR SLUICE_INSTALL_PLUGINDIR)
# find_package(SluiceSDK 1.1) accepts ABI 1.1, 1.2, ...; never 2.x.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/SluiceSDKConfigVersion.cmake
  VERSION ${SLUICE_ABI_VERSION}
  COMPATIBILITY SameMajorVersion
  ARCH_INDEPENDENT)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/SluiceSDKConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/SluiceSDKConfigVersion.cmake
  ${CMAKE_CURRENT_SOURCE_DIR}/cmake/SluiceSDKPlugin.cmake
  DESTINATION ${SLUICE_SDK_CMAKE_DIR})

# The .pc file finds the prefix from its own location (${pcfiledir}), so the
# tree may be installed with `cmake --install --prefix` anywhere or moved.
function(_sluice_pc_path var dir)
  if(IS_ABSOLUTE "${dir}")
    set(${var} "${dir}" PARENT_SCOPE)
  else()
    set(${var} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
if(IS_ABSOLUTE "${SLUICE_SDK_PKGCONFIG_DIR}")
  set(SLUICE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _sluice_up "/root/${SLUICE_SDK_PKGCONFIG_DIR}" "/root")
  set(SLUICE_PC_PREFIX "\${pcfiledir}/${_sluice_up}")
  string(REGEX REPLACE "/$" "" SLUICE_PC_PREFIX "${SLUICE_PC_PREFIX}")
endif()
_sluice_pc_path(SLUICE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
_sluice_pc_path(SLUICE_PC_PLUGINDIR "${SLUICE_INSTALL_PLUGINDIR}")
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/sluice-sdk.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/sluice-sdk.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sluice-sdk.pc DESTINATION ${SLUICE_SDK_PKGCONFIG_DIR})
