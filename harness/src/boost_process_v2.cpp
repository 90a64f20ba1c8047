// Boost.Process v2's compiled part. In Boost 1.81 its header-only mode leaves
// process_environment::on_setup undefined, so conclab builds it here once (separate compilation).
#include <boost/process/v2/src.hpp>
