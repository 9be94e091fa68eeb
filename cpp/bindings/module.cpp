// The only translation unit that defines the Python module. Each kernel family
// registers itself into a submodule from its own bind_<family>.cpp.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <string>

#include "skincore/cpu.hpp"
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
void bind_texture(py::module_& m);
void bind_boxes(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "skincore compiled kernels (private; use the skincore.* modules)";
    m.def("hardware_threads", [] { return skincore::hardware_threads(); },
          "Hardware threads reported by the OS (the default pool size).");
    m.def(
        "set_num_threads",
        [](int n) {
            if (n < 1 || n > skincore::kMaxThreads)
                throw py::value_error("n: expected an int in [1, " + std::to_string(skincore::kMaxThreads) +
                                      "], got " + std::to_string(n));
            py::gil_scoped_release release;  // shrinking waits for busy workers
            skincore::set_pool_size(n);
        },
        py::arg("n"), "Sets the size of the kernel thread pool (caller thread included).");
    m.def("get_num_threads", [] { return skincore::pool_size(); },
          "Size of the kernel thread pool: the most threads one kernel call uses (threads=0).");
    m.def(
        "_parallel_check",
        [](std::int64_t n, std::int64_t grain, int threads, std::int64_t fail_at) {
            // Test hook: every chunk records its length; chunk `fail_at` throws.
            std::vector<std::int64_t> len(static_cast<std::size_t>(skincore::chunk_count(n, grain)), -1);
            {
                py::gil_scoped_release release;
                skincore::parallel_chunks(n, grain, threads, [&](std::int64_t c, std::int64_t b, std::int64_t e) {
                    if (c == fail_at) throw std::runtime_error("chunk " + std::to_string(c));
                    len[static_cast<std::size_t>(c)] = e - b;
                });
            }
            return len;
        },
        py::arg("n"), py::arg("grain"), py::arg("threads"), py::arg("fail_at"));
    m.def("_set_simd", [](bool on) { skincore::set_simd_enabled(on); }, py::arg("on"),
          "Test hook: enable or disable the run-time dispatched SIMD instances.");
    m.def("_simd_enabled", [] { return skincore::simd_enabled(); });
    m.def("flush_denormals", [] { return skincore::flush_denormals(); },
          "Flush subnormal floats to zero on the calling thread; returns the previous control word.");
    m.def("restore_float_control", [](unsigned long long word) { skincore::restore_float_control(word); },
          py::arg("word"), "Restores the calling thread's floating-point control word (flush_denormals's).");
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
    auto texture = m.def_submodule("texture", "Local texture energy (roughness)");
    bind_texture(texture);
    auto boxes = m.def_submodule("boxes", "Axis-aligned boxes: non-maximum suppression");
    bind_boxes(boxes);
}
