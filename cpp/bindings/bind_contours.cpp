// Python bindings of the contours family (_core.contours). Validation raises
// ValueError naming the argument; the GIL is released around every kernel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays.hpp"
#include "skincore/contours.hpp"

namespace py = pybind11;
namespace sc = skincore::contours;
using skincore::py_arrays::check_same_hw;
using skincore::py_arrays::const_view;
using skincore::py_arrays::mut_view;

namespace {

void check_connectivity(int connectivity) {
    if (connectivity != 4 && connectivity != 8)
        throw py::value_error("connectivity: must be 4 or 8, got " + std::to_string(connectivity));
}

void check_threads(int threads) {
    if (threads < 0) throw py::value_error("threads: must be >= 0 (0 = all hardware threads)");
}

py::list to_arrays(const std::vector<sc::Contour>& contours) {
    static_assert(sizeof(sc::Point) == 2 * sizeof(std::int32_t), "Point must be two packed int32");
    py::list out(contours.size());
    for (std::size_t i = 0; i < contours.size(); ++i) {
        const auto& c = contours[i];
        py::array_t<std::int32_t> a({static_cast<py::ssize_t>(c.size()), py::ssize_t{2}});
        if (!c.empty()) std::memcpy(a.mutable_data(), c.data(), c.size() * sizeof(sc::Point));
        out[i] = std::move(a);
    }
    return out;
}

}  // namespace

void bind_contours(py::module_& m) {
    m.def(
        "label",
        [](const py::array& mask, py::array& labels, int connectivity, int threads) {
            check_connectivity(connectivity);
            check_threads(threads);
            const auto mv = const_view<std::uint8_t>(mask, "mask");
            auto lv = mut_view<std::int32_t>(labels, "labels");
            check_same_hw(mv, "mask", lv, "labels");
            sc::ComponentStats st;
            {
                py::gil_scoped_release release;
                st = sc::label(mv, lv, connectivity, threads);
            }
            const auto n = static_cast<py::ssize_t>(st.count());
            py::array_t<std::int64_t> area(n);
            py::array_t<std::int32_t> bbox({n, py::ssize_t{4}});
            py::array_t<double> centroid({n, py::ssize_t{2}});
            if (n > 0) {
                std::memcpy(area.mutable_data(), st.area.data(), st.area.size() * sizeof(std::int64_t));
                std::memcpy(bbox.mutable_data(), st.bbox.data(), st.bbox.size() * sizeof(std::int32_t));
                std::memcpy(centroid.mutable_data(), st.centroid.data(),
                            st.centroid.size() * sizeof(double));
            }
            return py::make_tuple(area, bbox, centroid);
        },
        py::arg("mask"), py::arg("labels"), py::arg("connectivity") = 8, py::arg("threads") = 0,
        "Label the connected components of a uint8 mask into int32 `labels`; returns "
        "(area, bbox, centroid).");

    m.def(
        "find_contours_mask",
        [](const py::array& mask, int connectivity, int threads) {
            check_connectivity(connectivity);
            check_threads(threads);
            const auto mv = const_view<std::uint8_t>(mask, "mask");
            std::vector<sc::Contour> c;
            {
                py::gil_scoped_release release;
                c = sc::find_contours_mask(mv, connectivity, threads);
            }
            return to_arrays(c);
        },
        py::arg("mask"), py::arg("connectivity") = 8, py::arg("threads") = 0,
        "Outer contour of every connected component of a uint8 mask, in label order.");

    m.def(
        "find_contours_labels",
        [](const py::array& labels, int connectivity, int threads) {
            check_connectivity(connectivity);
            check_threads(threads);
            const auto lv = const_view<std::int32_t>(labels, "labels");
            std::vector<sc::Contour> c;
            {
                py::gil_scoped_release release;
                c = sc::find_contours_labels(lv, connectivity, threads);
            }
            return to_arrays(c);
        },
        py::arg("labels"), py::arg("connectivity") = 8, py::arg("threads") = 0,
        "Outer contour of every label value 1..max(labels) of an int32 label image.");

    m.def(
        "simplify_indices",
        [](const py::array& polyline, double epsilon, bool closed) {
            if (!py::dtype::of<double>().is(polyline.dtype()) &&
                !polyline.dtype().equal(py::dtype::of<double>()))
                throw py::value_error("polyline: expected dtype float64");
            if (polyline.ndim() != 2 || polyline.shape(1) != 2)
                throw py::value_error("polyline: expected shape (K, 2)");
            if (!(polyline.flags() & py::array::c_style))
                throw py::value_error("polyline: must be C-contiguous");
            const auto* xy = static_cast<const double*>(polyline.data());
            const auto n = static_cast<std::int64_t>(polyline.shape(0));
            std::vector<std::int64_t> idx;
            {
                py::gil_scoped_release release;
                idx = sc::simplify_indices(xy, n, epsilon, closed);
            }
            py::array_t<std::int64_t> out(static_cast<py::ssize_t>(idx.size()));
            if (!idx.empty())
                std::memcpy(out.mutable_data(), idx.data(), idx.size() * sizeof(std::int64_t));
            return out;
        },
        py::arg("polyline"), py::arg("epsilon"), py::arg("closed") = true,
        "Douglas-Peucker: indices of the kept points of a float64 (K, 2) polyline.");

    m.def(
        "polygons",
        [](const py::array& mask, double epsilon, std::int64_t min_area, int connectivity,
           int threads) {
            check_connectivity(connectivity);
            check_threads(threads);
            const auto mv = const_view<std::uint8_t>(mask, "mask");
            std::vector<sc::Contour> c;
            {
                py::gil_scoped_release release;
                c = sc::polygons(mv, epsilon, min_area, connectivity, threads);
            }
            return to_arrays(c);
        },
        py::arg("mask"), py::arg("epsilon") = 1.0, py::arg("min_area") = 0,
        py::arg("connectivity") = 8, py::arg("threads") = 0,
        "Simplified outer contours of the components of a uint8 mask with area >= min_area.");

    m.def(
        "polygon_outlines",
        [](const py::array& xy, const py::array& offsets, int rule, double epsilon,
           std::int64_t max_box_pixels, int threads) {
            check_threads(threads);
            if (!xy.dtype().equal(py::dtype::of<double>()))
                throw py::value_error("xy: expected dtype float64");
            if (xy.ndim() != 2 || xy.shape(1) != 2) throw py::value_error("xy: expected shape (N, 2)");
            if (!(xy.flags() & py::array::c_style)) throw py::value_error("xy: must be C-contiguous");
            if (!offsets.dtype().equal(py::dtype::of<std::int64_t>()))
                throw py::value_error("offsets: expected dtype int64");
            if (offsets.ndim() != 1 || offsets.shape(0) < 1)
                throw py::value_error("offsets: expected shape (P + 1,)");
            if (!(offsets.flags() & py::array::c_style))
                throw py::value_error("offsets: must be C-contiguous");
            const auto* off = static_cast<const std::int64_t*>(offsets.data());
            const auto n = static_cast<std::int64_t>(offsets.shape(0)) - 1;
            if (off[n] != static_cast<std::int64_t>(xy.shape(0)))
                throw py::value_error("offsets: the last offset must be the number of points");
            py::array_t<std::int64_t> origins({static_cast<py::ssize_t>(n), py::ssize_t{2}});
            std::int64_t* org = origins.mutable_data();
            const auto* pts = static_cast<const double*>(xy.data());
            std::vector<sc::Contour> c;
            {
                py::gil_scoped_release release;
                c = sc::polygon_outlines(pts, off, n, rule, epsilon, max_box_pixels, org, threads);
            }
            return py::make_tuple(to_arrays(c), origins);
        },
        py::arg("xy"), py::arg("offsets"), py::arg("rule"), py::arg("epsilon"),
        py::arg("max_box_pixels"), py::arg("threads") = 0,
        "Outline of each polygon filled on its own box: (list of int32 (M, 2) contours in box "
        "pixels, int64 (P, 2) box corners).");
}
