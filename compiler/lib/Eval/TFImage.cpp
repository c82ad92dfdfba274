//===- TFImage.cpp - tf.image resizing as TF 1.15 builds it ----------------===//
//
// tf.image.resize_images (= tf.image.resize in 1.15): in name scope
// "resize", a 3-D image gets ExpandDims/Squeeze around the op, the size is a
// Const "size", the op is skipped when the size does not change (TF's
// skip_resize_if_same). The raw ops resize_bilinear/resize_nearest_neighbor
// are one op with its size Const inside.
//
//===----------------------------------------------------------------------===//
#include "TF.h"

namespace scopec::eval {

using graph::DType;
using graph::Shape;
using graph::TensorRef;

namespace {

Value call(Interpreter &in, const char *fn, std::vector<Value> args) {
  CallArgs c;
  c.positional = std::move(args);
  return in.call(in.tf().modules().at("tf").as<ModuleObj>()->attrs.at(fn), c, in.callSite());
}

/// The resize op itself: `type` in the current scope, its size converted
/// inside it (raw op) or given; attrs as TF's kernels take them.
Value resizeOp(Interpreter &in, const std::string &type, const Value &images, std::optional<TensorRef> size,
               const Value &sizeValue, bool alignCorners, bool halfPixel, const std::string &name) {
  TFState &tf = in.tf();
  if (alignCorners && halfPixel)
    return in.error(diag::invalid_argument, "If half_pixel_centers is True, align_corners must be False.");
  if (halfPixel && type == "ResizeNearestNeighbor")
    return in.error(diag::unsupported_api, "resize_nearest_neighbor with half_pixel_centers=True is not supported by scopec yet");
  TFState::SavedStack saved;
  bool ok;
  std::string scope = tf.enterNameScope(name.empty() ? std::string(type) : name, saved, ok);
  if (!ok)
    return Value::error();
  auto x = tf.toTensor(images, std::nullopt, "images");
  if (x && !size)
    size = tf.toTensor(sizeValue, DType::Int32, "size");
  graph::Node *n = x && size ? tf.createOp(scope.substr(0, scope.size() - 1), type, {*x, *size},
                                           {{"align_corners", alignCorners}, {"half_pixel_centers", halfPixel}})
                             : nullptr;
  tf.exitNameScope(saved);
  return n ? tf.makeTensor(*n) : Value::error();
}

NativeFn rawResize(const std::string &type, const char *fname) {
  return [type, fname](Interpreter &in, CallArgs &a) -> Value {
    ArgBinder b(in, fname, a, {"*images", "*size", "align_corners", "name", "half_pixel_centers"});
    if (!b.ok())
      return Value::error();
    auto flag = [&](const char *k) { return b.has(k) && b.get(k)->isBool() && b.get(k)->asBool(); };
    Value name = b.getOr("name", Value::none());
    return resizeOp(in, type, *b.get("images"), std::nullopt, *b.get("size"), flag("align_corners"),
                    flag("half_pixel_centers"), name.isStr() ? name.asStr() : "");
  };
}

Value resizeImages(Interpreter &in, CallArgs &a) {
  ArgBinder b(in, "resize_images", a, {"*images", "*size", "method", "align_corners", "preserve_aspect_ratio", "name"});
  if (!b.ok())
    return Value::error();
  TFState &tf = in.tf();
  int64_t method = 0;
  if (const Value *m = b.get("method"); m && !m->isNone() && !toInt(in, *m, method, "method"))
    return Value::error();
  if (method != 0 && method != 1)
    return in.error(diag::unsupported_api, std::string("tf.image.resize_images with method=") +
                                               (method == 2 ? "BICUBIC" : method == 3 ? "AREA" : std::to_string(method)) +
                                               " is not supported by scopec yet (BILINEAR and NEAREST_NEIGHBOR are)");
  bool align = b.has("align_corners") && b.get("align_corners")->isBool() && b.get("align_corners")->asBool();
  if (b.has("preserve_aspect_ratio") && b.get("preserve_aspect_ratio")->isBool() && b.get("preserve_aspect_ratio")->asBool())
    return in.error(diag::unsupported_api, "tf.image.resize_images with preserve_aspect_ratio=True is not supported by scopec yet");
  Value name = b.getOr("name", Value::none());
  ScopedName resizeScope(tf, name, "resize");
  if (!resizeScope.ok)
    return Value::error();
  auto x = tf.toTensor(*b.get("images"), std::nullopt, "images");
  if (!x)
    return Value::error();
  Shape s = tf.graph().type(*x).shape;
  if (s.unknownRank)
    return in.error(diag::value_error, "'images' contains no shape.");
  if (s.rank() != 3 && s.rank() != 4)
    return in.error(diag::value_error, "'images' must have either 3 or 4 dimensions.");
  bool batch = s.rank() == 4;
  Value images = tf.tensor(*x);
  if (!batch) {
    images = call(in, "expand_dims", {images, Value::integer(0)});
    if (images.isError())
      return images;
    s.dims.insert(s.dims.begin(), 1);
  }
  auto size = tf.toTensor(*b.get("size"), DType::Int32, "size");
  if (!size)
    return Value::error();
  const Shape &ss = tf.graph().type(*size).shape;
  if (ss.unknownRank || ss.rank() != 1 || (ss.dims[0] >= 0 && ss.dims[0] != 2))
    return in.error(diag::value_error, "'size' must be a 1-D Tensor of 2 elements: new_height, new_width");
  auto target = graph::partialShapeValue(tf.graph(), *size);
  if (!target || target->rank() != 2 || target->dims[0] < 0 || target->dims[1] < 0)
    return in.error(diag::unsupported_api, "tf.image.resize_images needs a size known when the graph is built in scopec");
  if (target->dims[0] == s.dims[1] && target->dims[1] == s.dims[2]) // skip_resize_if_same
    return batch ? images : call(in, "squeeze", {images, Value::list({Value::integer(0)})});
  Value y = resizeOp(in, method == 0 ? "ResizeBilinear" : "ResizeNearestNeighbor", images, size, Value::none(), align,
                     false, "");
  if (y.isError() || batch)
    return y;
  return call(in, "squeeze", {y, Value::list({Value::integer(0)})});
}

} // namespace

void installImage(TFState &tf) {
  Interpreter &in = tf.interp();
  auto m = std::make_shared<ModuleObj>("tf.image");
  tf.modules()["tf.image"] = Value::object(Kind::Module, m);
  tf.modules().at("tf").as<ModuleObj>()->attrs["image"] = tf.modules()["tf.image"];
  auto def = [&](const std::string &name, NativeFn fn) { m->attrs[name] = in.makeBuiltin("tf.image." + name, std::move(fn)); };
  def("resize_images", resizeImages);
  def("resize", resizeImages);
  def("resize_bilinear", rawResize("ResizeBilinear", "resize_bilinear"));
  def("resize_nearest_neighbor", rawResize("ResizeNearestNeighbor", "resize_nearest_neighbor"));
  auto methods = std::make_shared<ModuleObj>("tf.image.ResizeMethod");
  for (auto [k, v] : std::vector<std::pair<const char *, int64_t>>{{"BILINEAR", 0}, {"NEAREST_NEIGHBOR", 1}, {"BICUBIC", 2}, {"AREA", 3}})
    methods->attrs[k] = Value::integer(v);
  m->attrs["ResizeMethod"] = Value::object(Kind::Module, methods);
}

} // namespace scopec::eval
