// The only translation unit that defines the Python module. Each kernel family
// registers itself into a submodule from its own bind_<family>.cpp.
#include <pybind11/pybind11.h>

#include "skincore/parallel.hpp"

namespace py = pybind11;

void bind_color(py::module_& m);
void bind_geometry(py::module_& m);
void bind_blobs(py::module_& m);
void bind_ridges(py::module_& m);
void bind_contours(py::module_& m);
void bind_maps(py::module_& m);
void bind_chromophore(py::module_& m);
void bind_lesions(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "skincore compiled kernels (private; use the skincore.* modules)";
    m.def("hardware_threads", [] { return skincore::resolve_threads(0); },
          "Number of hardware threads used when threads=0.");
    auto color = m.def_submodule("color", "CIELAB conversion and masked colour statistics");
    bind_color(color);
    auto geometry = m.def_submodule("geometry", "Resize, Gaussian blur, polygon rasterisation");
    bind_geometry(geometry);
    auto blobs = m.def_submodule("blobs", "Scale-space blob detection");
    bind_blobs(blobs);
    auto ridges = m.def_submodule("ridges", "Hessian ridge filtering and ridge tracing");
    bind_ridges(ridges);
    auto contours = m.def_submodule("contours", "Connected components, contours, simplification");
    bind_contours(contours);
    auto maps = m.def_submodule("maps", "Enhanced B/W and other derived image maps");
    bind_maps(maps);
    auto chromophore = m.def_submodule("chromophore", "Melanin and haemoglobin maps");
    bind_chromophore(chromophore);
    auto lesions = m.def_submodule("lesions", "Lesion candidates: centre-surround contrast, region features");
    bind_lesions(lesions);
}
