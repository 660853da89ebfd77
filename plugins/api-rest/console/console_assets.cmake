# sluice_console_assets(<out_var>): adds a build step that embeds the web
# console's files (this folder) into <binary dir>/console_assets.cc
# (embed.cmake) and sets <out_var> to that file's path, for the targets
# that compile the REST plugin's routes (the plugin, the http fuzzer).
set(SLUICE_CONSOLE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(SLUICE_CONSOLE_FILES index.html console.css app.js api.js dom.js status.js overview.js
    versions.js playground.js tail.js health.js)

function(sluice_console_assets out_var)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/console_assets.cc)
  list(TRANSFORM SLUICE_CONSOLE_FILES PREPEND ${SLUICE_CONSOLE_DIR}/ OUTPUT_VARIABLE paths)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} "-DFILES=${SLUICE_CONSOLE_FILES}"
            -DDIR=${SLUICE_CONSOLE_DIR} -P ${SLUICE_CONSOLE_DIR}/embed.cmake
    DEPENDS ${paths} ${SLUICE_CONSOLE_DIR}/embed.cmake
    COMMENT "Embedding the web console"
    VERBATIM)
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
