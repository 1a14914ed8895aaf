"""Graph rewrites of exported fp32 graphs that ONNX Runtime's own transformer optimizer does not make.

``onnxruntime.transformers.optimizer`` (model types ``bert``/``bart``) fuses LayerNorm and GELU in our
graphs but no attention: the TorchScript export of PyTorch's scaled-dot-product attention multiplies
Q and K by sqrt(scale) each (two Mul nodes before the Q·Kᵀ MatMul), a shape its patterns do not
match. ``fuse_attention`` matches that shape and replaces it with ``com.microsoft.MultiHeadAttention``,
whose CPU kernel runs flash attention (no [heads, S, S] score tensor in memory) when there is no mask
(the Whisper encoder's self-attention), or, where K and V are graph inputs (the decoder step's
cross-attention over the cached encoder K/V), with a block-diagonal product in standard ops that
never copies K or V. A masked or biased attention (RoBERTa's padding mask, WavLM's relative position
bias, the decoder's causal self-attention) is left as it is. ``conv_as_matmul`` turns WavLM's strided
convolutions into MatMuls, which int8 quantization then covers.
MultiHeadAttention (domain com.microsoft, opset 1) exists in ONNX Runtime 1.23's CPU and CUDA
execution providers, which the Java SDK runs.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS_DOMAIN = "com.microsoft"


def _scalar(model, name: str) -> float | None:
    v = model.get_constant_value(name)
    if v is None or np.asarray(v).size != 1:
        return None
    return float(np.asarray(v).reshape(()))


def _strip_scalar_muls(model, name: str, out2node: dict) -> tuple[str, float, list]:
    """Walks up a chain of ``Mul(x, scalar constant)``; returns (x, product of the scalars, the Muls)."""
    scale, muls = 1.0, []
    while (n := out2node.get(name)) is not None and n.op_type == "Mul":
        for x, c in ((n.input[0], n.input[1]), (n.input[1], n.input[0])):
            s = _scalar(model, c)
            if s is not None:
                scale, name = scale * s, x
                muls.append(n)
                break
        else:
            break
    return name, scale, muls


def _reshape_dims(model, reshape) -> list[int | None]:
    """The constant parts of a Reshape's target shape (a constant, or a Concat of one-element parts)."""
    shape = model.get_constant_value(reshape.input[1])
    if shape is not None:
        return [int(d) for d in np.asarray(shape).reshape(-1)]
    node = model.output_name_to_node().get(reshape.input[1])
    if node is None or node.op_type != "Concat":
        return []
    dims = []
    for part in node.input:
        v = model.get_constant_value(part)
        dims.append(int(np.asarray(v).reshape(-1)[0]) if v is not None and np.asarray(v).size == 1 else None)
    return dims


def _heads(model, reshapes: list, hidden: int | None) -> int | None:
    """Heads of a [batch, seq, heads, head_size] split: read from the shape, or hidden / head_size."""
    dims = [d for d in (_reshape_dims(model, r) for r in reshapes) if len(d) == 4]
    heads = {d[2] for d in dims if d[2] is not None and d[2] > 0}
    sizes = {d[3] for d in dims if d[3] is not None and d[3] > 0}
    if len(heads) == 1:
        return heads.pop()
    if len(sizes) == 1 and hidden and hidden % (size := sizes.pop()) == 0:
        return hidden // size
    return None


def _last_dim(proto: onnx.ModelProto, name: str) -> int | None:
    for vi in list(proto.graph.value_info) + list(proto.graph.input) + list(proto.graph.output):
        if vi.name == name:
            dims = vi.type.tensor_type.shape.dim
            return dims[-1].dim_value or None if dims else None
    return None


def _perm(node) -> list[int]:
    return next((list(a.ints) for a in node.attribute if a.name == "perm"), [])


def _from_graph_input(model, name: str, inputs: set[str]) -> bool:
    """Whether ``name`` is a graph input, or a part of one picked by Gather/Squeeze/Reshape/Identity."""
    out2node = model.output_name_to_node()
    while name not in inputs:
        node = out2node.get(name)
        if node is None or node.op_type not in ("Gather", "Squeeze", "Reshape", "Identity"):
            return False
        name = node.input[0]
    return True


def _block_diagonal_attention(model, q: str, k: str, v: str, out: str, heads: int, hidden: int, scale: float,
                              prefix: str) -> list:
    """Attention of a few query steps over cached K/V [B, T, D] without moving K or V.

    The split into heads would transpose K and V ([B, T, H, d] to [B, H, d, T] and [B, H, T, d]), at
    every decoder step, for 1500 encoder frames per layer: most of a step's time. Instead the query
    becomes block diagonal, Qbd[b, h·d + i, s·H + h] = q[b, s, h·d + i], so that scores = K · Qbd
    ([B, T, S·H], one GEMM reading K as it lies) and R = softmax(scores)ᵀ · V ([B, S·H, D]); head h's
    output is block h of R's row (s, h), picked by the mask M[h, h·d + i] = 1 and a sum over h.
    The products are H times larger than needed, which is cheap next to the memory they save."""
    d = hidden // heads
    mask = np.zeros((hidden, heads), np.float32)
    for h in range(heads):
        mask[h * d:(h + 1) * d, h] = 1
    consts = {"mask3": mask.reshape(hidden, 1, heads), "maskT": np.ascontiguousarray(mask.T),
              "scale": np.array(scale, np.float32), "axis3": np.array([3], np.int64), "axis2": np.array([2], np.int64),
              "qshape": np.array([0, hidden, -1], np.int64), "rshape": np.array([0, -1, heads, hidden], np.int64)}
    for name, value in consts.items():
        model.add_initializer(onnx.numpy_helper.from_array(value, f"{prefix}_{name}"))
    p = prefix
    return [
        helper.make_node("Transpose", [q], [f"{p}_qt"], perm=[0, 2, 1]),
        helper.make_node("Unsqueeze", [f"{p}_qt", f"{p}_axis3"], [f"{p}_qu"]),
        helper.make_node("Mul", [f"{p}_qu", f"{p}_mask3"], [f"{p}_qm"]),
        helper.make_node("Reshape", [f"{p}_qm", f"{p}_qshape"], [f"{p}_qbd"]),
        helper.make_node("MatMul", [k, f"{p}_qbd"], [f"{p}_scores"]),
        helper.make_node("Mul", [f"{p}_scores", f"{p}_scale"], [f"{p}_scaled"]),
        helper.make_node("Softmax", [f"{p}_scaled"], [f"{p}_probs"], axis=1),
        helper.make_node("Transpose", [f"{p}_probs"], [f"{p}_probs_t"], perm=[0, 2, 1]),
        helper.make_node("MatMul", [f"{p}_probs_t", v], [f"{p}_r"]),
        helper.make_node("Reshape", [f"{p}_r", f"{p}_rshape"], [f"{p}_r4"]),
        helper.make_node("Mul", [f"{p}_r4", f"{p}_maskT"], [f"{p}_rm"]),
        helper.make_node("ReduceSum", [f"{p}_rm", f"{p}_axis2"], [out], keepdims=0),
    ]


def fuse_attention(proto: onnx.ModelProto) -> dict[str, int]:
    """Replaces every unmasked multi-head attention of the exported shape with MultiHeadAttention, or,
    where K and V are graph inputs (the decoder's cross-attention over the encoder's cached K/V),
    with ``_block_diagonal_attention``.

    Matched (all tensors [batch, seq, hidden] before the head split)::

        q3 -[Mul c]*-> Reshape[B,S,H,d] -> Transpose(0,2,1,3) -[Mul c]*-\\
                                                                         MatMul -[Mul c]*-> Softmax(-1) -> MatMul -> Transpose(0,2,1,3) -> Reshape[B,S,D]
        k3 ----------> Reshape[B,S,H,d] -> Transpose(0,2,3,1) -[Mul c]*-/                          /
        v3 ----------> Reshape[B,S,H,d] -> Transpose(0,2,1,3) ------------------------------------/

    The scalar Muls fold into the kernel's ``scale``. Returns how many of each were made
    (``attention``: MultiHeadAttention, ``cross_attention``: block diagonal)."""
    from onnxruntime.transformers.onnx_model import OnnxModel

    model = OnnxModel(proto)
    try:  # for the hidden size where the split says -1 heads
        typed = onnx.shape_inference.infer_shapes(proto)
    except ValueError:  # a graph over 2 GB: no sizes, so heads only from the split's constants
        typed = onnx.ModelProto()
    fused = {"attention": 0, "cross_attention": 0}
    inputs = {i.name for i in proto.graph.input}
    for softmax in [n for n in model.nodes() if n.op_type == "Softmax"]:
        out2node, in2nodes = model.output_name_to_node(), model.input_name_to_nodes()
        axis = next((a.i for a in softmax.attribute if a.name == "axis"), -1)
        scores, post, post_muls = _strip_scalar_muls(model, softmax.input[0], out2node)
        qk = out2node.get(scores)
        users = in2nodes.get(softmax.output[0], [])
        if axis not in (-1, 3) or qk is None or qk.op_type != "MatMul" or len(users) != 1 or users[0].op_type != "MatMul":
            continue
        av = users[0]
        if av.input[0] != softmax.output[0] or len(in2nodes.get(qk.output[0], [])) != 1:
            continue
        out_t = in2nodes.get(av.output[0], [])
        if len(out_t) != 1 or out_t[0].op_type != "Transpose" or _perm(out_t[0]) != [0, 2, 1, 3]:
            continue
        out_r = in2nodes.get(out_t[0].output[0], [])
        if len(out_r) != 1 or out_r[0].op_type != "Reshape":
            continue
        sides, reshapes, scale, parts = {}, {}, post, [softmax, qk, av, out_t[0], out_r[0]] + post_muls
        for key, src, perm in (("q", qk.input[0], [0, 2, 1, 3]), ("k", qk.input[1], [0, 2, 3, 1]),
                               ("v", av.input[1], [0, 2, 1, 3])):
            name, s, muls = _strip_scalar_muls(model, src, out2node) if key != "v" else (src, 1.0, [])
            t = out2node.get(name)
            r = out2node.get(t.input[0]) if t is not None and t.op_type == "Transpose" and _perm(t) == perm else None
            if r is None or r.op_type != "Reshape":
                break
            x, s2, muls2 = _strip_scalar_muls(model, r.input[0], out2node) if key == "q" else (r.input[0], 1.0, [])
            sides[key], reshapes[key] = x, r
            scale *= s * s2
            parts += muls + [t, r] + muls2
        heads = _heads(model, list(reshapes.values()), _last_dim(typed, sides["q"])) if len(sides) == 3 else None
        if heads is None:
            continue
        # every intermediate must feed only this attention, or removing it would break another user
        inner = {o for p in parts for o in p.output} - {out_r[0].output[0]}
        if any(u not in parts for o in inner for u in in2nodes.get(o, [])):
            continue
        hidden = _last_dim(typed, sides["q"])
        name = (softmax.name or softmax.output[0]).replace("/", "_").strip("_")
        if hidden and all(_from_graph_input(model, sides[x], inputs) for x in "kv"):
            fused["cross_attention"] += 1
            model.add_nodes(_block_diagonal_attention(model, sides["q"], sides["k"], sides["v"], out_r[0].output[0],
                                                      heads, hidden, scale, f"{name}_bd"))
        else:
            fused["attention"] += 1
            model.add_node(helper.make_node(
                "MultiHeadAttention", [sides["q"], sides["k"], sides["v"]], [out_r[0].output[0]],
                name=f"{name}_MultiHeadAttention", domain=MS_DOMAIN, num_heads=heads, scale=scale))
        model.remove_nodes(parts)
    if fused["attention"] and not any(o.domain == MS_DOMAIN for o in proto.opset_import):
        proto.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    if any(fused.values()):
        model.prune_graph(allow_remove_graph_inputs=False)
        model.topological_sort()
    return fused


def _attr(node, name: str, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def conv_as_matmul(proto: onnx.ModelProto, min_channels: int = 2) -> int:
    """Rewrites each strided 1-D convolution without padding (WavLM's feature encoder) as one MatMul.

    ONNX Runtime's int8 convolution (``ConvInteger``) is slower than its fp32 one on the CPU, so the
    feature encoder stayed fp32 and took about 40% of the int8 WavLM's time at 15 s. A convolution of
    kernel K and stride s is a product over polyphase frames: cut the input [B, C, T] into frames of s
    samples (a Reshape of the time-major copy, [B, T/s, s·C]); output step t is Σ_j W_j · frame[t + j]
    over the n = ceil(K/s) kernel chunks W_j (the last one padded with zero taps). One MatMul with the
    chunks side by side ([s·C, n·O]) gives every product; output t adds chunk j's column block at row
    t + j. That MatMul has a constant weight, so ``quantize_dynamic`` makes it int8 like any other.
    Convolutions with fewer than ``min_channels`` input channels (the first, on the waveform: its
    work is small), padding, dilation or groups are left as they are. Returns the number rewritten."""
    from onnxruntime.transformers.onnx_model import OnnxModel

    model = OnnxModel(proto)
    count = 0
    for conv in [n for n in model.nodes() if n.op_type == "Conv"]:
        w = model.get_initializer(conv.input[1])
        if w is None or len(w.dims) != 3:
            continue
        weight = onnx.numpy_helper.to_array(w)
        o, c, k = weight.shape
        s = int(_attr(conv, "strides", [1])[0])
        if (c < min_channels or _attr(conv, "group", 1) != 1 or any(_attr(conv, "pads", [0, 0]))
                or any(d != 1 for d in _attr(conv, "dilations", [1])) or _attr(conv, "auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET")):
            continue
        bias = model.get_initializer(conv.input[2]) if len(conv.input) > 2 and conv.input[2] else None
        if len(conv.input) > 2 and conv.input[2] and bias is None:
            continue
        n = -(-k // s)
        padded = np.zeros((o, c, n * s), np.float32)
        padded[:, :, :k] = weight
        # chunk j, row jj·C + c, column block j: W[o, c, j·s + jj]
        wcat = padded.reshape(o, c, n, s).transpose(3, 1, 2, 0).reshape(s * c, n * o)
        p = (conv.name or conv.output[0]).replace("/", "_").strip("_") + "_mm"
        x, y = conv.input[0], conv.output[0]
        inits = {f"{p}_w": wcat, f"{p}_k": np.array([k], np.int64), f"{p}_s": np.array([s], np.int64),
                 f"{p}_n1": np.array([n - 1], np.int64), f"{p}_two": np.array([2], np.int64),
                 f"{p}_frames": np.array([0, -1, s * c], np.int64), f"{p}_zero": np.array([0], np.int64),
                 f"{p}_one": np.array([1], np.int64), f"{p}_pads": np.array([0, 0, 0, 0, n * s, 0], np.int64)}
        for name, v in inits.items():
            model.add_initializer(onnx.numpy_helper.from_array(v, name))
        nodes = [
            # steps = (T - K) / s + 1; frames needed = steps + n - 1
            helper.make_node("Shape", [x], [f"{p}_shape"]),
            helper.make_node("Gather", [f"{p}_shape", f"{p}_two"], [f"{p}_t"], axis=0),
            helper.make_node("Sub", [f"{p}_t", f"{p}_k"], [f"{p}_tk"]),
            helper.make_node("Div", [f"{p}_tk", f"{p}_s"], [f"{p}_q"]),
            helper.make_node("Add", [f"{p}_q", f"{p}_one"], [f"{p}_steps"]),
            helper.make_node("Add", [f"{p}_steps", f"{p}_n1"], [f"{p}_nframes"]),
            helper.make_node("Mul", [f"{p}_nframes", f"{p}_s"], [f"{p}_len"]),
            helper.make_node("Transpose", [x], [f"{p}_xt"], perm=[0, 2, 1]),
            helper.make_node("Pad", [f"{p}_xt", f"{p}_pads"], [f"{p}_xp"], mode="constant"),
            helper.make_node("Slice", [f"{p}_xp", f"{p}_zero", f"{p}_len", f"{p}_one"], [f"{p}_xs"]),
            helper.make_node("Reshape", [f"{p}_xs", f"{p}_frames"], [f"{p}_fr"]),
            helper.make_node("MatMul", [f"{p}_fr", f"{p}_w"], [f"{p}_all"], name=f"{p}_MatMul"),
        ]
        terms = []
        for j in range(n):
            if n == 1:
                terms.append(f"{p}_all")
                break
            for name, v in ((f"{p}_r{j}", [j]), (f"{p}_c{j}", [j * o]), (f"{p}_c{j + 1}", [(j + 1) * o])):
                if model.get_initializer(name) is None:
                    model.add_initializer(onnx.numpy_helper.from_array(np.array(v, np.int64), name))
            nodes += [helper.make_node("Add", [f"{p}_steps", f"{p}_r{j}"], [f"{p}_e{j}"]),
                      helper.make_node("Concat", [f"{p}_r{j}", f"{p}_c{j}"], [f"{p}_b{j}"], axis=0),
                      helper.make_node("Concat", [f"{p}_e{j}", f"{p}_c{j + 1}"], [f"{p}_en{j}"], axis=0),
                      helper.make_node("Slice", [f"{p}_all", f"{p}_b{j}", f"{p}_en{j}", f"{p}_axes"], [f"{p}_y{j}"])]
            terms.append(f"{p}_y{j}")
        if n > 1:
            model.add_initializer(onnx.numpy_helper.from_array(np.array([1, 2], np.int64), f"{p}_axes"))
        acc = terms[0]
        for j, t in enumerate(terms[1:], 1):
            nodes.append(helper.make_node("Add", [acc, t], [f"{p}_sum{j}"]))
            acc = f"{p}_sum{j}"
        if bias is not None:
            nodes.append(helper.make_node("Add", [acc, conv.input[2]], [f"{p}_biased"]))
            acc = f"{p}_biased"
        nodes.append(helper.make_node("Transpose", [acc], [y], perm=[0, 2, 1]))
        model.remove_node(conv)
        model.add_nodes(nodes)
        count += 1
    if count:
        model.prune_graph(allow_remove_graph_inputs=False)
        model.topological_sort()
    return count


CROSS_KV = ("cross_k", "cross_v")


def cross_kv_per_layer(decoder: onnx.ModelProto) -> bool:
    """Whether a decoder graph takes the cross-attention K/V per layer (``cross_k_0``...) rather than
    stacked ([decoder_layers, B, F, d_model] ``cross_k``, as exported)."""
    return any(i.name == "cross_k_0" for i in decoder.graph.input)


def _const_int(proto: onnx.ModelProto, name: str) -> int | None:
    for n in proto.graph.node:
        if n.op_type == "Constant" and n.output[0] == name and n.attribute:
            v = numpy_helper.to_array(n.attribute[0].t)
            return int(v.reshape(-1)[0]) if v.size == 1 else None
    for t in proto.graph.initializer:
        if t.name == name:
            v = numpy_helper.to_array(t)
            return int(v.reshape(-1)[0]) if v.size == 1 else None
    return None


def split_cross_kv(encoder: onnx.ModelProto, decoder: onnx.ModelProto, layers: int) -> int:
    """Cross-attention K/V per decoder layer in both graphs: the encoder's ``cross_k``/``cross_v``
    outputs (a Concat of one Unsqueeze per layer) become outputs ``cross_k_{l}``/``cross_v_{l}`` [B, F,
    d_model], and the decoder's Gathers of layer l from its stacked inputs become graph inputs of those
    names. As exported, every decoding step copies all layers' K/V out of the stacked input (a Gather
    per layer: 110 MB per step and item at whisper-small); split, the step reads them where the
    encoder wrote them. Both graphs are changed or neither; returns the layers split (0: a shape this
    rewrite does not know, graphs unchanged)."""
    enc_out = {o.name: o for o in encoder.graph.output}
    producers = {o: n for n in encoder.graph.node for o in n.output}
    plan_enc = {}
    for name in CROSS_KV:
        concat = producers.get(name)
        if name not in enc_out or concat is None or concat.op_type != "Concat" or len(concat.input) != layers:
            return 0
        if next((a.i for a in concat.attribute if a.name == "axis"), None) != 0:
            return 0
        parts = []
        for x in concat.input:
            u = producers.get(x)
            if u is None or u.op_type != "Unsqueeze" or _const_int(encoder, u.input[1]) != 0:
                return 0
            parts.append((u, u.input[0]))
        plan_enc[name] = (concat, parts)
    dec_in = {i.name: i for i in decoder.graph.input}
    plan_dec = {}
    for name in CROSS_KV:
        if name not in dec_in:
            return 0
        users = [n for n in decoder.graph.node if name in n.input]
        layer_of = {}
        for g in users:
            axis = next((a.i for a in g.attribute if a.name == "axis"), 0)
            idx = _const_int(decoder, g.input[1]) if g.op_type == "Gather" and g.input[0] == name else None
            if idx is None or axis != 0 or not 0 <= idx < layers:
                return 0
            layer_of[id(g)] = (g, idx)
        plan_dec[name] = list(layer_of.values())
    for name, (concat, parts) in plan_enc.items():
        elem = enc_out[name].type.tensor_type.elem_type
        dims = enc_out[name].type.tensor_type.shape.dim
        encoder.graph.node.remove(concat)
        still_used = {i for n in encoder.graph.node for i in n.input}
        for u, _ in parts:
            if u.output[0] not in still_used:
                encoder.graph.node.remove(u)
        encoder.graph.output.remove(enc_out[name])
        for layer, (_, src) in enumerate(parts):
            out = f"{name}_{layer}"
            _rename(encoder, src, out)  # the layer's projection writes the output itself: no copy
            encoder.graph.output.append(helper.make_tensor_value_info(
                out, elem, [_dim(d) for d in list(dims)[1:]]))
    for name, gathers in plan_dec.items():
        vi = dec_in[name]
        elem = vi.type.tensor_type.elem_type
        dims = list(vi.type.tensor_type.shape.dim)[1:]
        for g, layer in gathers:
            for n in decoder.graph.node:
                for k, x in enumerate(n.input):
                    if x == g.output[0]:
                        n.input[k] = f"{name}_{layer}"
            for o in decoder.graph.output:
                if o.name == g.output[0]:
                    raise ValueError(f"decoder output {o.name} is a Gather of {name}")
            decoder.graph.node.remove(g)
        decoder.graph.input.remove(vi)
        for layer in range(layers):
            decoder.graph.input.append(helper.make_tensor_value_info(f"{name}_{layer}", elem, [_dim(d) for d in dims]))
    _drop_unused_constants(encoder)
    _drop_unused_constants(decoder)
    return layers


def _drop_unused_constants(proto: onnx.ModelProto) -> None:
    """Removes Constant nodes and initializers nothing reads any more (the Gathers' indices, the
    Unsqueezes' axes), which ONNX Runtime would otherwise warn about at every load."""
    used = ({i for n in proto.graph.node for i in n.input} | {o.name for o in proto.graph.output}
            | {i.name for i in proto.graph.input})  # an initializer listed as an input is interface
    for n in [n for n in proto.graph.node if n.op_type == "Constant" and n.output[0] not in used]:
        proto.graph.node.remove(n)
    for t in [t for t in proto.graph.initializer if t.name not in used]:
        proto.graph.initializer.remove(t)


def _rename(proto: onnx.ModelProto, old: str, new: str) -> None:
    """Renames tensor ``old`` (a node output) to ``new`` everywhere in the graph."""
    for n in proto.graph.node:
        for k, x in enumerate(n.output):
            if x == old:
                n.output[k] = new
        for k, x in enumerate(n.input):
            if x == old:
                n.input[k] = new
    for vi in proto.graph.value_info:
        if vi.name == old:
            vi.name = new


def _dim(d) -> int | str | None:
    return d.dim_value if d.HasField("dim_value") else (d.dim_param or None)
