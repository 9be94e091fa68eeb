// Shared validation for the bindings: NumPy arrays -> skincore views.
//
// Every check raises ValueError naming the argument. Nothing is copied: an array
// whose rows are not packed (pixel stride != channels * itemsize) is refused, while
// a row-strided view (a crop of a larger array) is accepted as is.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "skincore/image_view.hpp"

namespace skincore::py_arrays {

namespace py = pybind11;

template <class T>
inline void check_dtype(const py::array& a, const char* name) {
    if (!py::dtype::of<T>().is(a.dtype()) && !a.dtype().equal(py::dtype::of<T>())) {
        throw py::value_error(std::string(name) + ": expected dtype " +
                              std::string(py::str(py::dtype::of<T>())) + ", got " +
                              std::string(py::str(a.dtype())));
    }
}

// ndim must be 2 (channels == 1) or 3 with shape[2] == channels.
template <class T>
inline void check_layout(const py::array& a, const char* name, int channels) {
    check_dtype<T>(a, name);
    const auto itemsize = static_cast<py::ssize_t>(sizeof(T));
    if (channels == 1 && a.ndim() != 2)
        throw py::value_error(std::string(name) + ": expected a 2-D array (H, W), got ndim=" +
                              std::to_string(a.ndim()));
    if (channels > 1) {
        if (a.ndim() != 3 || a.shape(2) != channels)
            throw py::value_error(std::string(name) + ": expected shape (H, W, " +
                                  std::to_string(channels) + ")");
        if (a.size() > 0 && a.strides(2) != itemsize)
            throw py::value_error(std::string(name) + ": channels must be contiguous");
    }
    // Empty arrays may carry zero strides in NumPy: nothing to check there.
    const py::ssize_t px = a.strides(1);
    if (a.size() > 0 && a.shape(1) > 1 && px != itemsize * channels)
        throw py::value_error(std::string(name) +
                              ": pixels within a row must be contiguous (use np.ascontiguousarray)");
    if (a.size() > 0 && a.shape(0) > 1 && (a.strides(0) < 0 || a.strides(0) % itemsize != 0))
        throw py::value_error(std::string(name) + ": unsupported row stride");
}

template <class T>
inline ConstView<T> const_view(const py::array& a, const char* name, int channels = 1) {
    check_layout<T>(a, name, channels);
    ConstView<T> v;
    v.data = static_cast<const T*>(a.data());
    v.height = a.shape(0);
    v.width = a.shape(1);
    v.channels = channels;
    v.row_stride = a.shape(0) > 1 ? a.strides(0) / static_cast<py::ssize_t>(sizeof(T)) : v.width * channels;
    return v;
}

template <class T>
inline MutView<T> mut_view(py::array& a, const char* name, int channels = 1) {
    check_layout<T>(a, name, channels);
    if (!a.writeable()) throw py::value_error(std::string(name) + ": array is read-only");
    MutView<T> v;
    v.data = static_cast<T*>(a.mutable_data());
    v.height = a.shape(0);
    v.width = a.shape(1);
    v.channels = channels;
    v.row_stride = a.shape(0) > 1 ? a.strides(0) / static_cast<py::ssize_t>(sizeof(T)) : v.width * channels;
    return v;
}

template <class A, class B>
inline void check_same_hw(const A& a, const char* an, const B& b, const char* bn) {
    if (a.width != b.width || a.height != b.height)
        throw py::value_error(std::string(bn) + ": shape (" + std::to_string(b.height) + ", " +
                              std::to_string(b.width) + ") does not match " + an + " (" +
                              std::to_string(a.height) + ", " + std::to_string(a.width) + ")");
}

}  // namespace skincore::py_arrays
