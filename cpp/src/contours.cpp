// Connected components (run-based union-find), outer border following and
// Douglas-Peucker simplification. See contours.hpp for the contracts.
#include "skincore/contours.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "skincore/geometry.hpp"
#include "skincore/parallel.hpp"

namespace skincore::contours {
namespace {

constexpr std::int64_t kMaxPixels = std::numeric_limits<std::int32_t>::max();

// A run of foreground pixels [x0, x1) within one row.
struct Run {
    std::int32_t x0;
    std::int32_t x1;
};

void check_connectivity(int connectivity) {
    if (connectivity != 4 && connectivity != 8)
        throw std::invalid_argument("connectivity: must be 4 or 8, got " +
                                    std::to_string(connectivity));
}

template <class V>
void check_size(const V& v, const char* name) {
    if (v.width < 0 || v.height < 0)
        throw std::invalid_argument(std::string(name) + ": negative size");
    if (v.width > 0 && v.height > kMaxPixels / v.width)
        throw std::invalid_argument(std::string(name) + ": more than 2**31 - 1 pixels");
    if (v.height > 1 && v.row_stride < v.width)
        throw std::invalid_argument(std::string(name) + ": row stride shorter than a row");
}

// True when some byte of w is zero (exact; the classic bit trick).
inline bool has_zero_byte(std::uint64_t w) {
    return ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) != 0;
}

// Appends the runs of nonzero bytes of row p[0..w) to out. Skips 8 bytes at a
// time through long background and foreground stretches.
void extract_runs(const std::uint8_t* p, std::int32_t w, std::vector<Run>& out) {
    std::int32_t x = 0;
    while (x < w) {
        while (x + 8 <= w) {
            std::uint64_t word;
            std::memcpy(&word, p + x, 8);
            if (word != 0) break;
            x += 8;
        }
        while (x < w && p[x] == 0) ++x;
        if (x >= w) break;
        const std::int32_t start = x;
        while (x + 8 <= w) {
            std::uint64_t word;
            std::memcpy(&word, p + x, 8);
            if (has_zero_byte(word)) break;
            x += 8;
        }
        while (x < w && p[x] != 0) ++x;
        out.push_back({start, x});
    }
}

// Union-find with parent[i] <= i for every i (roots are the smallest index).
inline std::int32_t find_root(std::int32_t* parent, std::int32_t i) {
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];  // path halving keeps parent[i] <= i
        i = parent[i];
    }
    return i;
}

inline void unite(std::int32_t* parent, std::int32_t a, std::int32_t b) {
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

// Joins the runs of a row with the touching runs of the row above it.
// gap = 1 for 8-connectivity (diagonal contact counts), 0 for 4-connectivity.
void connect_rows(const Run* prev, std::int32_t prev_base, std::int32_t n_prev, const Run* cur,
                  std::int32_t cur_base, std::int32_t n_cur, std::int32_t gap,
                  std::int32_t* parent) {
    std::int32_t i = 0, j = 0;
    while (i < n_prev && j < n_cur) {
        if (cur[j].x0 < prev[i].x1 + gap && prev[i].x0 < cur[j].x1 + gap)
            unite(parent, prev_base + i, cur_base + j);
        if (prev[i].x1 < cur[j].x1)
            ++i;
        else
            ++j;
    }
}

struct RunLabels {
    std::vector<Run> runs;              // all runs, raster order
    std::vector<std::int32_t> row_start;  // runs of row y: [row_start[y], row_start[y+1])
    std::vector<std::int32_t> comp;     // 0-based component of each run
    std::int32_t ncomp = 0;
};

std::int64_t stripe_rows(std::int64_t width) { return row_grain(width, std::int64_t{1} << 18); }

RunLabels label_runs(ConstView<std::uint8_t> mask, int connectivity, int threads) {
    RunLabels out;
    const std::int64_t h = mask.height;
    const auto w = static_cast<std::int32_t>(mask.width);
    out.row_start.assign(static_cast<std::size_t>(std::max<std::int64_t>(h, 0) + 1), 0);
    if (mask.empty()) return out;
    const std::int32_t gap = connectivity == 8 ? 1 : 0;
    const std::int64_t grain = stripe_rows(mask.width);
    const std::int64_t nchunks = chunk_count(h, grain);

    // Pass 1, per stripe: runs and a local union-find over the stripe's rows.
    struct Stripe {
        std::vector<Run> runs;
        std::vector<std::int32_t> row_start;
        std::vector<std::int32_t> parent;
    };
    std::vector<Stripe> stripes(static_cast<std::size_t>(nchunks));
    parallel_chunks(h, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        Stripe& s = stripes[static_cast<std::size_t>(c)];
        s.row_start.reserve(static_cast<std::size_t>(y1 - y0 + 1));
        s.row_start.push_back(0);
        for (std::int64_t y = y0; y < y1; ++y) {
            extract_runs(mask.row(y), w, s.runs);
            s.row_start.push_back(static_cast<std::int32_t>(s.runs.size()));
        }
        s.parent.resize(s.runs.size());
        std::iota(s.parent.begin(), s.parent.end(), 0);
        for (std::int64_t r = 1; r < y1 - y0; ++r) {
            const std::int32_t pb = s.row_start[r - 1], cb = s.row_start[r];
            connect_rows(s.runs.data() + pb, pb, cb - pb, s.runs.data() + cb, cb,
                         s.row_start[r + 1] - cb, gap, s.parent.data());
        }
    });

    // Gather the stripes into global arrays (indices shifted by the stripe offset,
    // which keeps parent[i] <= i).
    std::vector<std::int32_t> offset(static_cast<std::size_t>(nchunks) + 1, 0);
    for (std::int64_t c = 0; c < nchunks; ++c)
        offset[c + 1] = offset[c] + static_cast<std::int32_t>(stripes[c].runs.size());
    const std::int32_t total = offset[nchunks];
    out.runs.resize(static_cast<std::size_t>(total));
    std::vector<std::int32_t> parent(static_cast<std::size_t>(total));
    parallel_chunks(h, grain, threads, [&](std::int64_t c, std::int64_t y0, std::int64_t y1) {
        const Stripe& s = stripes[static_cast<std::size_t>(c)];
        const std::int32_t off = offset[c];
        std::copy(s.runs.begin(), s.runs.end(), out.runs.begin() + off);
        for (std::size_t k = 0; k < s.parent.size(); ++k) parent[off + k] = s.parent[k] + off;
        for (std::int64_t y = y0; y < y1; ++y) out.row_start[y] = s.row_start[y - y0] + off;
    });
    out.row_start[h] = total;
    stripes.clear();
    stripes.shrink_to_fit();

    // Join across stripe borders.
    for (std::int64_t c = 1; c < nchunks; ++c) {
        const std::int64_t y = c * grain;
        const std::int32_t pb = out.row_start[y - 1], cb = out.row_start[y];
        connect_rows(out.runs.data() + pb, pb, cb - pb, out.runs.data() + cb, cb,
                     out.row_start[y + 1] - cb, gap, parent.data());
    }

    // Number the roots in index (= raster) order; parent[i] < i for non-roots.
    out.comp.resize(static_cast<std::size_t>(total));
    std::int32_t n = 0;
    for (std::int32_t i = 0; i < total; ++i)
        out.comp[i] = parent[i] == i ? n++ : out.comp[parent[i]];
    out.ncomp = n;
    return out;
}

// Border following ------------------------------------------------------------

// Directions counter-clockwise on screen (y down): E, NE, N, NW, W, SW, S, SE.
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDy[8] = {0, -1, -1, -1, 0, 1, 1, 1};

// Traces the outer border of the set `inside` from its raster-first pixel
// (x0, y0) (whose west neighbour is outside), Suzuki-Abe style: the first
// neighbour is searched clockwise from west, then each step searches
// counter-clockwise from the pixel we came from; the trace ends on re-entering
// the start pixel from that first neighbour. step = 1 (8-neighbours) or 2
// (4-neighbours). max_points guards against a broken invariant.
template <class Inside>
void trace_outer(const Inside& inside, std::int32_t x0, std::int32_t y0, int step,
                 std::int64_t max_points, Contour& out) {
    out.clear();
    int s = -1;
    for (int k = step; k < 8; k += step) {
        const int d = (4 - k) & 7;
        if (inside(x0 + kDx[d], y0 + kDy[d])) {
            s = d;
            break;
        }
    }
    if (s < 0) {
        out.push_back({x0, y0});
        return;
    }
    const std::int32_t x1 = x0 + kDx[s], y1 = y0 + kDy[s];
    std::int32_t cx = x0, cy = y0;
    for (;;) {
        int d = s;
        for (int k = step; k <= 8; k += step) {
            d = (s + k) & 7;
            if (inside(cx + kDx[d], cy + kDy[d])) break;
        }
        out.push_back({cx, cy});
        const std::int32_t nx = cx + kDx[d], ny = cy + kDy[d];
        if (nx == x0 && ny == y0 && cx == x1 && cy == y1) break;
        if (static_cast<std::int64_t>(out.size()) > max_points)
            throw std::logic_error("contours: border following did not close");
        cx = nx;
        cy = ny;
        s = (d + 4) & 7;
    }
}

struct MaskInside {
    ConstView<std::uint8_t> m;
    bool operator()(std::int32_t x, std::int32_t y) const {
        return x >= 0 && y >= 0 && x < m.width && y < m.height && m.row(y)[x] != 0;
    }
};

struct LabelInside {
    ConstView<std::int32_t> m;
    std::int32_t label;
    bool operator()(std::int32_t x, std::int32_t y) const {
        return x >= 0 && y >= 0 && x < m.width && y < m.height && m.row(y)[x] == label;
    }
};

// Raster-first pixel and area of every component.
struct Starts {
    std::vector<Point> first;
    std::vector<std::int64_t> area;
};

Starts component_starts(const RunLabels& rl, std::int64_t height) {
    Starts s;
    s.first.resize(static_cast<std::size_t>(rl.ncomp));
    s.area.assign(static_cast<std::size_t>(rl.ncomp), 0);
    std::int32_t seen = 0;
    for (std::int64_t y = 0; y < height; ++y) {
        for (std::int32_t i = rl.row_start[y]; i < rl.row_start[y + 1]; ++i) {
            const std::int32_t c = rl.comp[i];
            if (c == seen) {
                s.first[c] = {rl.runs[i].x0, static_cast<std::int32_t>(y)};
                ++seen;
            }
            s.area[c] += rl.runs[i].x1 - rl.runs[i].x0;
        }
    }
    return s;
}

// Douglas-Peucker ------------------------------------------------------------

// Douglas-Peucker over points (xs[k], ys[k]), k in [0, m] (for closed polygons
// point m is a copy of point 0). Fills keep[0..m).
//
// Distance to a chord a-b is the distance to the segment: the perpendicular
// distance when the projection falls inside it, else the distance to the nearer
// end. Candidates are compared scaled by L = |b - a|^2 (L = 1 when a == b) so that
// no division is needed: cross^2 inside, L * |p - end|^2 outside. For integer
// coordinates below 2^20 every scaled value is exact, so ties are resolved
// exactly (the first point wins). A point is kept when its scaled value is
// >= epsilon^2 * L.
void dp_core(std::int64_t m, const double* xs, const double* ys, double eps2, bool closed,
             std::vector<char>& keep, std::vector<std::pair<std::int64_t, std::int64_t>>& stack) {
    keep.assign(static_cast<std::size_t>(m), 0);
    stack.clear();
    if (m <= 2) {
        std::fill(keep.begin(), keep.end(), 1);
        return;
    }
    keep[0] = 1;
    if (closed) {
        std::int64_t f = 0;
        double best = -1.0;
        for (std::int64_t k = 1; k < m; ++k) {
            const double dx = xs[k] - xs[0], dy = ys[k] - ys[0];
            const double d2 = dx * dx + dy * dy;
            if (d2 > best) {
                best = d2;
                f = k;
            }
        }
        if (best < eps2) return;  // everything within epsilon of the first point
        keep[f] = 1;
        stack.push_back({f, m});
        stack.push_back({0, f});
    } else {
        keep[m - 1] = 1;
        stack.push_back({0, m - 1});
    }
    while (!stack.empty()) {
        const auto [a, b] = stack.back();
        stack.pop_back();
        if (b - a < 2) continue;
        const double ax = xs[a], ay = ys[a];
        const double dx = xs[b] - ax, dy = ys[b] - ay;
        const double len2 = dx * dx + dy * dy;
        const double scale = len2 > 0.0 ? len2 : 1.0;
        std::int64_t best_k = -1;
        double best = -1.0;
        for (std::int64_t k = a + 1; k < b; ++k) {
            const double ex = xs[k] - ax, ey = ys[k] - ay;
            const double dot = ex * dx + ey * dy;
            double v;
            if (dot <= 0.0) {
                v = (ex * ex + ey * ey) * scale;
            } else if (dot >= len2) {
                const double fx = xs[k] - xs[b], fy = ys[k] - ys[b];
                v = (fx * fx + fy * fy) * scale;
            } else {
                const double cr = ex * dy - ey * dx;
                v = cr * cr;
            }
            if (v > best) {
                best = v;
                best_k = k;
            }
        }
        if (best >= eps2 * scale) {
            keep[best_k] = 1;
            stack.push_back({best_k, b});
            stack.push_back({a, best_k});
        }
    }
}

double check_epsilon(double epsilon) {
    if (!std::isfinite(epsilon) || epsilon < 0.0)
        throw std::invalid_argument("epsilon: must be finite and >= 0");
    return epsilon * epsilon;
}

// Scratch buffers of one worker.
struct DpScratch {
    std::vector<double> xs, ys;
    std::vector<char> keep;
    std::vector<std::pair<std::int64_t, std::int64_t>> stack;
};

// Simplifies a traced contour (closed; no consecutive duplicates by
// construction, a trailing copy of the first point is dropped) in place.
void simplify_contour(Contour& c, double eps2, DpScratch& sc) {
    std::int64_t m = static_cast<std::int64_t>(c.size());
    while (m > 1 && c[m - 1].x == c[0].x && c[m - 1].y == c[0].y) --m;
    sc.xs.resize(static_cast<std::size_t>(m) + 1);
    sc.ys.resize(static_cast<std::size_t>(m) + 1);
    for (std::int64_t k = 0; k < m; ++k) {
        sc.xs[k] = c[k].x;
        sc.ys[k] = c[k].y;
    }
    if (m > 0) {
        sc.xs[m] = sc.xs[0];
        sc.ys[m] = sc.ys[0];
    }
    dp_core(m, sc.xs.data(), sc.ys.data(), eps2, true, sc.keep, sc.stack);
    std::size_t o = 0;
    for (std::int64_t k = 0; k < m; ++k)
        if (sc.keep[k]) c[o++] = c[k];
    c.resize(o);
}

// Outer contours of the components of `mask` with area >= min_area, simplified
// when `simplify`.
std::vector<Contour> outer_contours(ConstView<std::uint8_t> mask, bool simplify, double eps2,
                                    std::int64_t min_area, int connectivity, int threads) {
    check_connectivity(connectivity);
    check_size(mask, "mask");
    if (min_area < 0) throw std::invalid_argument("min_area: must be >= 0");
    const RunLabels rl = label_runs(mask, connectivity, threads);
    const Starts st = component_starts(rl, mask.height);
    const std::int64_t n = rl.ncomp;
    std::vector<Contour> out(static_cast<std::size_t>(n));
    const int step = connectivity == 8 ? 1 : 2;
    const MaskInside inside{mask};
    parallel_chunks(n, 16, threads, [&](std::int64_t, std::int64_t b, std::int64_t e) {
        DpScratch sc;
        for (std::int64_t k = b; k < e; ++k) {
            if (st.area[k] < min_area) continue;
            trace_outer(inside, st.first[k].x, st.first[k].y, step, 4 * st.area[k] + 8, out[k]);
            if (simplify) simplify_contour(out[k], eps2, sc);
        }
    });
    if (min_area > 0) {
        std::size_t o = 0;
        for (std::int64_t k = 0; k < n; ++k)
            if (st.area[k] >= min_area) {
                if (o != static_cast<std::size_t>(k)) out[o] = std::move(out[k]);  // no self-move
                ++o;
            }
        out.resize(o);
    }
    return out;
}

}  // namespace

ComponentStats label(ConstView<std::uint8_t> mask, MutView<std::int32_t> labels, int connectivity,
                     int threads) {
    check_connectivity(connectivity);
    check_size(mask, "mask");
    if (labels.width != mask.width || labels.height != mask.height)
        throw std::invalid_argument("labels: shape does not match mask");
    check_size(labels, "labels");
    const RunLabels rl = label_runs(mask, connectivity, threads);
    const std::int64_t w = mask.width;

    parallel_rows(mask.height, stripe_rows(w), threads, [&](std::int64_t y0, std::int64_t y1) {
        for (std::int64_t y = y0; y < y1; ++y) {
            std::int32_t* out = labels.row(y);
            std::int64_t x = 0;
            for (std::int32_t i = rl.row_start[y]; i < rl.row_start[y + 1]; ++i) {
                const Run r = rl.runs[i];
                std::fill(out + x, out + r.x0, 0);
                std::fill(out + r.x0, out + r.x1, rl.comp[i] + 1);
                x = r.x1;
            }
            std::fill(out + x, out + w, 0);
        }
    });

    // Statistics from the runs, in exact integer arithmetic.
    const std::size_t n = static_cast<std::size_t>(rl.ncomp);
    ComponentStats st;
    st.area.assign(n, 0);
    std::vector<std::int32_t> xmin(n, std::numeric_limits<std::int32_t>::max()), xmax(n, -1),
        ymin(n, -1), ymax(n, -1);
    std::vector<std::int64_t> sx(n, 0), sy(n, 0);
    for (std::int64_t y = 0; y < mask.height; ++y) {
        const auto yy = static_cast<std::int32_t>(y);
        for (std::int32_t i = rl.row_start[y]; i < rl.row_start[y + 1]; ++i) {
            const Run r = rl.runs[i];
            const std::size_t c = static_cast<std::size_t>(rl.comp[i]);
            const std::int64_t len = r.x1 - r.x0;
            st.area[c] += len;
            // sum of x over [x0, x1): len * (x0 + x1 - 1) / 2, always an integer.
            sx[c] += len * (static_cast<std::int64_t>(r.x0) + r.x1 - 1) / 2;
            sy[c] += len * y;
            xmin[c] = std::min(xmin[c], r.x0);
            xmax[c] = std::max(xmax[c], r.x1 - 1);
            if (ymin[c] < 0) ymin[c] = yy;
            ymax[c] = yy;
        }
    }
    st.bbox.resize(4 * n);
    st.centroid.resize(2 * n);
    for (std::size_t c = 0; c < n; ++c) {
        st.bbox[4 * c + 0] = xmin[c];
        st.bbox[4 * c + 1] = ymin[c];
        st.bbox[4 * c + 2] = xmax[c] - xmin[c] + 1;
        st.bbox[4 * c + 3] = ymax[c] - ymin[c] + 1;
        st.centroid[2 * c + 0] = static_cast<double>(sx[c]) / static_cast<double>(st.area[c]);
        st.centroid[2 * c + 1] = static_cast<double>(sy[c]) / static_cast<double>(st.area[c]);
    }
    return st;
}

std::vector<Contour> find_contours_mask(ConstView<std::uint8_t> mask, int connectivity,
                                        int threads) {
    return outer_contours(mask, false, 0.0, 0, connectivity, threads);
}

std::vector<Contour> find_contours_labels(ConstView<std::int32_t> labels, int connectivity,
                                          int threads) {
    check_connectivity(connectivity);
    check_size(labels, "labels");
    if (labels.empty()) return {};
    const std::int64_t npix = labels.width * labels.height;
    std::int32_t maxl = 0;
    for (std::int64_t y = 0; y < labels.height; ++y) {
        const std::int32_t* row = labels.row(y);
        for (std::int64_t x = 0; x < labels.width; ++x) maxl = std::max(maxl, row[x]);
    }
    if (maxl > npix)
        throw std::invalid_argument("labels: values must lie in [0, H*W]; got " +
                                    std::to_string(maxl));
    std::vector<Point> first(static_cast<std::size_t>(maxl), Point{-1, -1});
    for (std::int64_t y = 0; y < labels.height; ++y) {
        const std::int32_t* row = labels.row(y);
        for (std::int64_t x = 0; x < labels.width; ++x) {
            const std::int32_t l = row[x];
            if (l > 0 && first[l - 1].x < 0)
                first[l - 1] = {static_cast<std::int32_t>(x), static_cast<std::int32_t>(y)};
        }
    }
    std::vector<Contour> out(static_cast<std::size_t>(maxl));
    const int step = connectivity == 8 ? 1 : 2;
    const std::int64_t max_points = 4 * npix + 8;
    parallel_chunks(maxl, 16, threads, [&](std::int64_t, std::int64_t b, std::int64_t e) {
        for (std::int64_t k = b; k < e; ++k) {
            const Point p = first[k];
            if (p.x < 0) continue;
            trace_outer(LabelInside{labels, static_cast<std::int32_t>(k + 1)}, p.x, p.y, step,
                        max_points, out[k]);
        }
    });
    return out;
}

std::vector<std::int64_t> simplify_indices(const double* xy, std::int64_t n, double epsilon,
                                           bool closed) {
    const double eps2 = check_epsilon(epsilon);
    if (n < 0) throw std::invalid_argument("polyline: negative length");
    std::vector<std::int64_t> idx;
    idx.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(xy[2 * i]) || !std::isfinite(xy[2 * i + 1]))
            throw std::invalid_argument("polyline: coordinates must be finite");
        if (!idx.empty()) {
            const std::int64_t j = idx.back();
            if (xy[2 * i] == xy[2 * j] && xy[2 * i + 1] == xy[2 * j + 1]) continue;
        }
        idx.push_back(i);
    }
    if (closed)
        while (idx.size() > 1 && xy[2 * idx.back()] == xy[2 * idx[0]] &&
               xy[2 * idx.back() + 1] == xy[2 * idx[0] + 1])
            idx.pop_back();
    const auto m = static_cast<std::int64_t>(idx.size());
    std::vector<double> xs(static_cast<std::size_t>(m) + 1), ys(static_cast<std::size_t>(m) + 1);
    for (std::int64_t k = 0; m > 0 && k <= m; ++k) {
        const std::int64_t i = idx[static_cast<std::size_t>(k == m ? 0 : k)];
        xs[k] = xy[2 * i];
        ys[k] = xy[2 * i + 1];
    }
    std::vector<char> keep;
    std::vector<std::pair<std::int64_t, std::int64_t>> stack;
    dp_core(m, xs.data(), ys.data(), eps2, closed, keep, stack);
    std::vector<std::int64_t> out;
    for (std::int64_t k = 0; k < m; ++k)
        if (keep[k]) out.push_back(idx[k]);
    return out;
}

std::vector<Contour> polygons(ConstView<std::uint8_t> mask, double epsilon, std::int64_t min_area,
                              int connectivity, int threads) {
    const double eps2 = check_epsilon(epsilon);
    return outer_contours(mask, true, eps2, min_area, connectivity, threads);
}

// Box corners are int64: coordinates are kept well inside its range.
constexpr double kMaxOutlineCoord = 1099511627776.0;  // 2^40

std::vector<Contour> polygon_outlines(const double* xy, const std::int64_t* offsets,
                                      std::int64_t n_polygons, int rule, double epsilon,
                                      std::int64_t max_box_pixels, std::int64_t* origins,
                                      int threads) {
    (void)check_epsilon(epsilon);
    if (n_polygons < 0) throw std::invalid_argument("polygon_outlines: n_polygons must be >= 0");
    if (rule != 0 && rule != 1) throw std::invalid_argument("polygon_outlines: rule must be 0 or 1");
    if (n_polygons > 0 && offsets[0] != 0)
        throw std::invalid_argument("polygon_outlines: offsets must start at 0");
    // Validate every polygon and find its box before any work (errors name the polygon).
    std::vector<std::int64_t> box(4 * static_cast<std::size_t>(n_polygons), 0);
    for (std::int64_t p = 0; p < n_polygons; ++p) {
        const std::int64_t a = offsets[p], b = offsets[p + 1];
        if (b < a) throw std::invalid_argument("polygon_outlines: offsets must be non-decreasing");
        origins[2 * p] = origins[2 * p + 1] = 0;
        if (b - a < 3) continue;
        double lx = xy[2 * a], hx = lx, ly = xy[2 * a + 1], hy = ly;
        for (std::int64_t i = a; i < b; ++i) {
            const double x = xy[2 * i], y = xy[2 * i + 1];
            if (!(std::fabs(x) <= kMaxOutlineCoord) || !(std::fabs(y) <= kMaxOutlineCoord))
                throw std::invalid_argument("polygon_outlines: polygon " + std::to_string(p) +
                                            " has a coordinate that is not finite or too large");
            lx = std::min(lx, x), hx = std::max(hx, x), ly = std::min(ly, y), hy = std::max(hy, y);
        }
        const double w = std::ceil(hx) + 2 - (std::floor(lx) - 1), h = std::ceil(hy) + 2 - (std::floor(ly) - 1);
        if (!(w * h <= static_cast<double>(max_box_pixels)))
            throw std::invalid_argument("polygon_outlines: polygon " + std::to_string(p) +
                                        "'s box exceeds max_box_pixels");
        std::int64_t* bx = box.data() + 4 * p;
        bx[0] = static_cast<std::int64_t>(std::floor(lx)) - 1;
        bx[1] = static_cast<std::int64_t>(std::floor(ly)) - 1;
        bx[2] = static_cast<std::int64_t>(std::ceil(hx)) + 2;
        bx[3] = static_cast<std::int64_t>(std::ceil(hy)) + 2;
        origins[2 * p] = bx[0];
        origins[2 * p + 1] = bx[1];
    }
    std::vector<Contour> out(static_cast<std::size_t>(n_polygons));
    parallel_chunks(n_polygons, 1, threads, [&](std::int64_t, std::int64_t p0, std::int64_t p1) {
        std::vector<double> local;
        std::vector<std::uint8_t> fill;
        for (std::int64_t p = p0; p < p1; ++p) {
            const std::int64_t a = offsets[p], b = offsets[p + 1];
            if (b - a < 3) continue;
            const std::int64_t* bx = box.data() + 4 * p;
            const double x0 = static_cast<double>(bx[0]), y0 = static_cast<double>(bx[1]);
            local.resize(static_cast<std::size_t>(2 * (b - a)));
            for (std::int64_t i = a; i < b; ++i) {
                local[static_cast<std::size_t>(2 * (i - a))] = xy[2 * i] - x0;
                local[static_cast<std::size_t>(2 * (i - a) + 1)] = xy[2 * i + 1] - y0;
            }
            const std::int64_t W = bx[2] - bx[0], H = bx[3] - bx[1];
            fill.assign(static_cast<std::size_t>(W * H), 0);
            const MutView<std::uint8_t> fv{fill.data(), W, H, W, 1};
            const std::int64_t one[2] = {0, b - a};
            skincore::fill_polygons(local.data(), one, 1, fv, 255,
                                    rule == 1 ? FillRule::NonZero : FillRule::EvenOdd, 1);
            const ConstView<std::uint8_t> cv{fill.data(), W, H, W, 1};
            std::vector<Contour> found = polygons(cv, epsilon, 0, 8, 1);
            std::size_t best = 0;
            for (std::size_t i = 1; i < found.size(); ++i)
                if (found[i].size() > found[best].size()) best = i;
            if (!found.empty()) out[static_cast<std::size_t>(p)] = std::move(found[best]);
        }
    });
    return out;
}

}  // namespace skincore::contours
