package dev.dtp.mamba.checkpoint.torch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Unpickles a {@code data.pkl} that may only describe a (nested) state dict.
 *
 * <p>The safety rule: a global is resolved only if it is in {@link #GLOBALS}, each entry a small pure Java
 * function of its arguments; anything else ({@code os.system}, {@code builtins.eval}, any class) fails at the
 * GLOBAL opcode, before a REDUCE could apply it. Opcodes that build arbitrary objects (INST, OBJ, extension codes,
 * BUILD on anything but an OrderedDict) are refused, and length-prefixed opcodes are checked against the bytes that
 * remain so a forged length cannot force a huge allocation. Everything else is Pyrolite's plain data decoding.
 */
final class StateDictUnpickler extends Unpickler {

    /** What a persistent id {@code ('storage', type, key, location, numel)} resolves to. */
    interface StorageResolver {
        TorchStorage resolve(String key, TorchDType dtype, long numel);
    }

    /** A global that REDUCE/NEWOBJ may call. */
    private interface PickleCallable {
        Object call(Object[] args);
    }

    /** {@code torch.FloatStorage} etc.; {@code torch.UntypedStorage} is bytes. Not callable. */
    private record StorageType(TorchDType dtype) {}

    /** {@code torch.float32} etc., the dtype argument of {@code _rebuild_tensor_v3}. Not callable. */
    private record DTypeRef(TorchDType dtype) {}

    /** The result of {@code collections.OrderedDict}: the only object BUILD may update (it ignores the state). */
    private static final class OrderedDict extends LinkedHashMap<Object, Object> {}

    private static final Map<String, Object> GLOBALS = allowedGlobals();

    private final String source;
    private final StorageResolver storages;
    private ByteArrayInputStream in;
    private int length;

    StateDictUnpickler(String source, StorageResolver storages) {
        this.source = source;
        this.storages = storages;
    }

    /** The unpickled root object; tensors are {@link TorchTensor}, dicts are ordered maps, tuples Object[]. */
    Object unpickle(byte[] pickle) {
        in = new ByteArrayInputStream(pickle);
        length = pickle.length;
        try {
            return load(in);
        } catch (TorchCheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TorchCheckpointException("Malformed pickle " + source + " near byte " + position() + ": "
                    + e.getMessage(), e);
        } finally {
            close();
        }
    }

    private int position() {
        return length - in.available();
    }

    @Override
    protected Object dispatch(short op) throws IOException {
        switch (op) {
            case Opcodes.GLOBAL -> stack.add(resolveGlobal(PickleUtils.readline(in), PickleUtils.readline(in)));
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw refused("STACK_GLOBAL with non-string operands");
                }
                stack.add(resolveGlobal(m, n));
            }
            case Opcodes.REDUCE, Opcodes.NEWOBJ -> {
                Object args = stack.pop();
                stack.add(call(stack.pop(), args));
            }
            case Opcodes.NEWOBJ_EX -> {
                Object kwargs = stack.pop();
                Object args = stack.pop();
                if (!(kwargs instanceof Map<?, ?> k) || !k.isEmpty()) {
                    throw refused("NEWOBJ_EX with keyword arguments");
                }
                stack.add(call(stack.pop(), args));
            }
            case Opcodes.BUILD -> {
                stack.pop(); // an OrderedDict's state is its Python attributes (state-dict _metadata): not needed
                Object target = stack.peek();
                if (!(target instanceof OrderedDict)) {
                    throw refused("BUILD (__setstate__) on " + describe(target));
                }
            }
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> stack.add(putAll(new LinkedHashMap<>(), stack.pop_all_since_marker()));
            case Opcodes.SETITEMS -> {
                List<Object> items = stack.pop_all_since_marker();
                putAll(asMap(stack.peek()), items);
            }
            case Opcodes.BINUNICODE -> stack.add(new String(readCounted(4), StandardCharsets.UTF_8));
            case Opcodes.BINUNICODE8 -> stack.add(new String(readCounted(8), StandardCharsets.UTF_8));
            case Opcodes.BINBYTES, Opcodes.BINSTRING -> stack.add(op == Opcodes.BINBYTES
                    ? readCounted(4) : PickleUtils.rawStringFromBytes(readCounted(4)));
            case Opcodes.BINBYTES8, Opcodes.BYTEARRAY8 -> stack.add(readCounted(8));
            case Opcodes.LONG4 -> stack.add(PickleUtils.decode_long(readCounted(4)));
            case Opcodes.INST, Opcodes.OBJ -> throw refused("INST/OBJ (arbitrary class instantiation)");
            case Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 -> throw refused("copyreg extension codes (EXT1/2/4)");
            case Opcodes.PERSID -> throw refused("text persistent ids (PERSID)");
            case Opcodes.NEXT_BUFFER, Opcodes.READONLY_BUFFER -> throw refused("out-of-band buffers");
            default -> {
                return super.dispatch(op);
            }
        }
        return NO_RETURN_VALUE;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] t) || t.length != 5 || !"storage".equals(t[0])
                || !(t[1] instanceof StorageType type) || !(t[2] instanceof String key)) {
            throw new TorchCheckpointException("Unexpected persistent id " + describe(pid) + " in " + source
                    + "; expected ('storage', <torch storage type>, key, location, numel)");
        }
        return storages.resolve(key, type.dtype(), toLong(t[4], "storage numel"));
    }

    private Object resolveGlobal(String module, String name) {
        Object global = GLOBALS.get(module + "." + name);
        if (global == null) {
            throw new UnsafePickleException("Refusing to load " + source + ": it references the Python global '"
                    + module + "." + name + "', which a state dict of tensors never needs. Nothing was executed. "
                    + "Allowed globals: " + String.join(", ", new TreeMap<>(GLOBALS).keySet()));
        }
        return global;
    }

    private Object call(Object callable, Object args) {
        if (!(callable instanceof PickleCallable fn)) {
            throw refused("calling " + describe(callable));
        }
        if (!(args instanceof Object[] a)) {
            throw new TorchCheckpointException("Malformed pickle " + source + ": call arguments are "
                    + describe(args) + ", not a tuple");
        }
        try {
            return fn.call(a);
        } catch (TorchCheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TorchCheckpointException("Malformed pickle " + source + " near byte " + position()
                    + ": bad arguments " + describe(a) + " (" + e + ")", e);
        }
    }

    private UnsafePickleException refused(String what) {
        return new UnsafePickleException("Refusing to load " + source + ": its pickle uses " + what
                + " near byte " + position() + ", which a state dict of tensors never needs. Nothing was executed.");
    }

    private byte[] readCounted(int lengthBytes) throws IOException {
        byte[] raw = PickleUtils.readbytes(in, lengthBytes);
        long n = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            n = (n << 8) | (raw[i] & 0xFF);
        }
        if (lengthBytes == 4) {
            n = (int) n; // BINSTRING and LONG4 lengths are signed; a negative one is caught below
        }
        if (n < 0 || n > in.available()) {
            throw new TorchCheckpointException("Malformed pickle " + source + " near byte " + position()
                    + ": a length of " + n + " bytes exceeds the " + in.available() + " bytes left");
        }
        return PickleUtils.readbytes(in, (int) n);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (!(o instanceof Map)) {
            throw new TorchCheckpointException("Malformed pickle " + source + ": SETITEMS on " + describe(o));
        }
        return (Map<Object, Object>) o;
    }

    private static Map<Object, Object> putAll(Map<Object, Object> map, List<Object> keysAndValues) {
        for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
            map.put(keysAndValues.get(i), keysAndValues.get(i + 1));
        }
        return map;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Object[] a) {
            return "tuple of " + a.length;
        }
        return o.getClass().getSimpleName();
    }

    // --- the allowed globals ------------------------------------------------------------------------------------

    private static Map<String, Object> allowedGlobals() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("collections.OrderedDict", (PickleCallable) StateDictUnpickler::orderedDict);
        g.put("torch._utils._rebuild_tensor_v2", (PickleCallable) StateDictUnpickler::rebuildTensorV2);
        g.put("torch._utils._rebuild_tensor_v3", (PickleCallable) StateDictUnpickler::rebuildTensorV3);
        g.put("torch._utils._rebuild_parameter", (PickleCallable) StateDictUnpickler::rebuildParameter);
        g.put("torch._utils._rebuild_parameter_with_state", (PickleCallable) StateDictUnpickler::rebuildParameter);
        g.put("_codecs.encode", (PickleCallable) StateDictUnpickler::codecsEncode);
        for (TorchDType t : TorchDType.values()) {
            g.put("torch." + t.storageClass(), new StorageType(t));
            g.put("torch." + t.torchName(), new DTypeRef(t));
        }
        g.put("torch.UntypedStorage", new StorageType(TorchDType.U8));
        return Map.copyOf(g);
    }

    /** OrderedDict() or OrderedDict([(k, v), ...]). */
    private static Object orderedDict(Object[] args) {
        OrderedDict d = new OrderedDict();
        if (args.length == 1 && args[0] instanceof List<?> pairs) {
            for (Object pair : pairs) {
                Object[] kv = (Object[]) pair;
                d.put(kv[0], kv[1]);
            }
        } else if (args.length != 0) {
            throw new IllegalArgumentException("OrderedDict takes no arguments or one list of pairs");
        }
        return d;
    }

    /** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
    private static Object rebuildTensorV2(Object[] a) {
        if (a.length < 6 || a.length > 7) {
            throw new IllegalArgumentException("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + a.length);
        }
        TorchStorage storage = (TorchStorage) a[0];
        return new TorchTensor(storage, storage.dtype(), toLong(a[1], "storage_offset"),
                toLongs(a[2], "size"), toLongs(a[3], "stride"));
    }

    /** _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata]). */
    private static Object rebuildTensorV3(Object[] a) {
        if (a.length < 7 || a.length > 8) {
            throw new IllegalArgumentException("_rebuild_tensor_v3 takes 7 or 8 arguments, got " + a.length);
        }
        TorchStorage storage = (TorchStorage) a[0];
        return new TorchTensor(storage, ((DTypeRef) a[6]).dtype(), toLong(a[1], "storage_offset"),
                toLongs(a[2], "size"), toLongs(a[3], "stride"));
    }

    /** _rebuild_parameter(data, requires_grad, backward_hooks[, state]): a Parameter is just its tensor here. */
    private static Object rebuildParameter(Object[] a) {
        if (a.length < 3 || !(a[0] instanceof TorchTensor t)) {
            throw new IllegalArgumentException("_rebuild_parameter expects (tensor, requires_grad, hooks[, state])");
        }
        return t;
    }

    /** _codecs.encode(text, 'latin1'): how protocol 2 spells a bytes object. */
    private static Object codecsEncode(Object[] a) {
        if (a.length != 2 || !(a[0] instanceof String s) || !(a[1] instanceof String enc)) {
            throw new IllegalArgumentException("_codecs.encode expects (str, encoding)");
        }
        return switch (enc.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "latin1", "latin_1", "iso_8859_1" -> s.getBytes(StandardCharsets.ISO_8859_1);
            case "utf8", "utf_8" -> s.getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException("unsupported encoding " + enc);
        };
    }

    private static long toLong(Object o, String what) {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        throw new IllegalArgumentException(what + " is " + describe(o) + ", not a 64-bit integer");
    }

    private static long[] toLongs(Object o, String what) {
        if (!(o instanceof Object[] t)) {
            throw new IllegalArgumentException(what + " is " + describe(o) + ", not a tuple");
        }
        return Arrays.stream(t).mapToLong(x -> toLong(x, what)).toArray();
    }
}
