# Generates a C++ source holding docs/diagnostics/<CODE>.md, so that
# `scopec explain CODE` and the SARIF rule metadata print the same page that
# the repository documents. Run with:
#   cmake -DDOCS_DIR=<dir> -DOUTPUT=<file.cpp> -P EmbedDiagnosticDocs.cmake
file(GLOB pages RELATIVE ${DOCS_DIR} ${DOCS_DIR}/*.md)
list(SORT pages)
set(body "// Generated from docs/diagnostics by cmake/EmbedDiagnosticDocs.cmake.\n")
string(APPEND body "#include \"scopec/Basic/DiagnosticDocs.h\"\n\nnamespace scopec {\n")
string(APPEND body "const std::vector<DiagnosticDoc> &allDiagnosticDocs() {\n")
string(APPEND body "  static const std::vector<DiagnosticDoc> docs = {\n")
foreach(page IN LISTS pages)
  get_filename_component(code ${page} NAME_WE)
  file(READ ${DOCS_DIR}/${page} text)
  string(FIND "${text}" ")scopecdoc\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${page} contains the raw-string delimiter")
  endif()
  string(APPEND body "      {\"${code}\", R\"scopecdoc(${text})scopecdoc\"},\n")
endforeach()
string(APPEND body "  };\n  return docs;\n}\n} // namespace scopec\n")
# Only touch the output when it changes, so that unrelated builds stay no-ops.
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT "${old}" STREQUAL "${body}")
  file(WRITE ${OUTPUT} "${body}")
endif()
