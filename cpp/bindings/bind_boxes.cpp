// Python bindings of the boxes family (_core.boxes). Validation raises ValueError
// naming the argument; the GIL is released around the kernel.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "skincore/boxes.hpp"

namespace py = pybind11;

void bind_boxes(py::module_& m) {
    m.def(
        "greedy_nms",
        [](const py::array& boxes, const py::array& classes, double iou, std::int64_t max_keep) {
            if (!boxes.dtype().equal(py::dtype::of<double>()))
                throw py::value_error("boxes: expected dtype float64");
            if (boxes.ndim() != 2 || boxes.shape(1) != 4)
                throw py::value_error("boxes: expected shape (N, 4)");
            if (!(boxes.flags() & py::array::c_style))
                throw py::value_error("boxes: must be C-contiguous");
            if (!classes.dtype().equal(py::dtype::of<std::int64_t>()))
                throw py::value_error("classes: expected dtype int64");
            if (classes.ndim() != 1 || classes.shape(0) != boxes.shape(0))
                throw py::value_error("classes: expected shape (" + std::to_string(boxes.shape(0)) + ",)");
            if (!(classes.flags() & py::array::c_style))
                throw py::value_error("classes: must be C-contiguous");
            const auto n = static_cast<std::int64_t>(boxes.shape(0));
            const std::int64_t room = max_keep < 0 ? n : std::min(n, max_keep);
            std::vector<std::int64_t> kept(static_cast<std::size_t>(room));
            const auto* b = static_cast<const double*>(boxes.data());
            const auto* c = static_cast<const std::int64_t*>(classes.data());
            std::int64_t count = 0;
            {
                py::gil_scoped_release release;
                count = skincore::boxes::greedy_nms(b, c, n, iou, max_keep, kept.data());
            }
            py::array_t<std::int64_t> out(static_cast<py::ssize_t>(count));
            if (count > 0)
                std::memcpy(out.mutable_data(), kept.data(), static_cast<std::size_t>(count) * sizeof(std::int64_t));
            return out;
        },
        py::arg("boxes"), py::arg("classes"), py::arg("iou"), py::arg("max_keep") = -1,
        "Greedy per-class NMS over float64 (N, 4) boxes in the order given; positions kept.");
}
