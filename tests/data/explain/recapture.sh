#!/usr/bin/env bash
# Re-creates the real_*.txt captures (see capture.sh for the environments). Order matters:
# each section forces one broken state with `uv pip install --no-deps` and restores it.
source "$(dirname "$0")/capture.sh"

# ---- batch1
P=$ENVS/explain-tf215/bin/python
E="tensorflow-cpu 2.15.1, keras 2.15.0, numpy 1.26.4, protobuf 4.25.9"
capture real_tf215_session "$E" -- $P -c "import tensorflow as tf; sess = tf.Session()"
capture real_tf215_placeholder "$E" -- $P -c "import tensorflow as tf; x = tf.placeholder(tf.float32, shape=(None, 3))"
capture real_tf215_contrib "$E" -- $P -c "import tensorflow.contrib.slim as slim"
capture real_tf215_np_utils "$E" -- $P -c "from keras.utils import np_utils"
capture real_tf215_optimizer_decay "$E" -- $P -c "import tensorflow as tf; opt = tf.keras.optimizers.SGD(learning_rate=0.01, decay=1e-6)"
capture real_tf215_predict_classes "$E" -- $P -c "import numpy as np, tensorflow as tf; m = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2, activation='softmax')]); m.predict_classes(np.zeros((1, 3)))"
capture real_tf215_get_session "$E" -- $P -c "import tensorflow as tf; tf.keras.backend.get_session()"
capture real_tf215_keras_wrappers "$E" -- $P -c "from keras.wrappers.scikit_learn import KerasClassifier"
capture real_tf215_get_default_graph "$E" -- $P -c "import tensorflow as tf; g = tf.get_default_graph()"
capture real_shadow_tensorflow_py "$E; a file tensorflow.py in the working directory containing 'import tensorflow as tf; model = tf.keras.Sequential()'" -- bash -c "printf 'import tensorflow as tf\\nmodel = tf.keras.Sequential()\\n' > tensorflow.py && $P tensorflow.py"
capture real_shadow_keras_py "$E; a file keras.py in the working directory containing 'from keras.models import Sequential'" -- bash -c "echo 'from keras.models import Sequential' > keras.py && $P keras.py"
capture real_not_installed_tensorflow "plain CPython 3.11.7 venv without TensorFlow" -- /work/venv-explain/bin/python -c "import tensorflow as tf"
capture real_not_installed_keras "plain CPython 3.11.7 venv without Keras" -- /work/venv-explain/bin/python -c "from keras.models import Sequential"

# ---- batch2
P=$ENVS/explain-tf215/bin/python
SP=$ENVS/explain-tf215/lib/python3.11/site-packages
PIP="/work/main/.venv/bin/pip --python $P"
E="tensorflow-cpu 2.15.1, keras 2.15.0, numpy 1.26.4, protobuf 4.25.9"
# numpy 2 under TF 2.15
$UV pip install -q --python $P --no-deps numpy==2.0.2
capture real_tf215_numpy2 "tensorflow-cpu 2.15.1 with numpy 2.0.2 forced (uv pip install --no-deps numpy==2.0.2)" -- $P -c "import tensorflow as tf; print(tf.constant([1.0]).numpy())"
$UV pip install -q --python $P --no-deps numpy==1.26.4
# protobuf too old
$UV pip install -q --python $P --no-deps protobuf==3.19.6
capture real_tf215_protobuf319 "tensorflow-cpu 2.15.1 with protobuf 3.19.6 forced (uv pip install --no-deps protobuf==3.19.6)" -- $P -c "import tensorflow as tf"
$UV pip install -q --python $P --no-deps protobuf==6.31.1
capture real_tf215_protobuf6 "tensorflow-cpu 2.15.1 with protobuf 6.31.1 forced (uv pip install --no-deps protobuf==6.31.1)" -- $P -c "import tensorflow as tf; print(tf.constant(1))"
$UV pip install -q --python $P --no-deps protobuf==4.25.9
# declared conflict reports
$UV pip install -q --python $P --no-deps protobuf==3.19.6
capture real_pip_check_protobuf "tensorflow-cpu 2.15.1 with protobuf 3.19.6 forced" -- $PIP check
$UV pip install -q --python $P --no-deps protobuf==4.25.9
# tf-keras beside keras 2.15: two Keras implementations in one model
$UV pip install -q --python $P --no-deps tf-keras==2.15.1
capture real_tf215_mixed_optimizer "$E, tf-keras 2.15.1" -- $P -c "import keras, tf_keras; m = tf_keras.Sequential([tf_keras.Input((3,)), tf_keras.layers.Dense(1)]); m.compile(optimizer=keras.optimizers.Adam(), loss='mse')"
$UV pip uninstall -q --python $P tf-keras
# Keras 3 forced beside TF 2.15
$UV pip install -q --python $P --no-deps keras==3.6.0 namex optree rich markdown-it-py mdurl pygments
capture real_pip_check_keras3 "tensorflow-cpu 2.15.1 with keras 3.6.0 forced" -- $PIP check
capture real_uv_pip_check_keras3 "tensorflow-cpu 2.15.1 with keras 3.6.0 forced" -- $UV pip check --python $P
$UV pip install -q --python $P --no-deps keras==2.15.0
# a dependent package that needs a newer TensorFlow
$UV pip install -q --python $P --no-deps tensorflow-probability==0.25.0 cloudpickle decorator dm-tree gast
$UV pip uninstall -q --python $P tensorflow-probability
# files for the model-format captures under Keras 3
mkdir -p /work/tmp-explain/models
$P -c "
import tensorflow as tf
inp = tf.keras.Input((3,)); out = tf.keras.layers.Dense(2)(inp); out = tf.math.reduce_sum(out, axis=1, keepdims=True)
m = tf.keras.Model(inp, out); m.save('/work/tmp-explain/models/k2_tfop.h5')
m.save('/work/tmp-explain/models/k2_savedmodel')
" > /dev/null 2>&1
ls /work/tmp-explain/models

# ---- batch2b
P=$ENVS/explain-tf215/bin/python
E="tensorflow-cpu 2.15.1, keras 2.15.0, numpy 1.26.4, protobuf 4.25.9"
$UV pip install -q --python $P --no-deps keras==2.15.0
$UV pip install -q --python $P --no-deps tensorflow-probability==0.25.0 cloudpickle decorator dm-tree
capture real_tf215_tfp025 "$E, tensorflow-probability 0.25.0 forced (--no-deps)" -- $P -c "import tensorflow_probability as tfp; d = tfp.distributions.Normal(0.0, 1.0)"
$UV pip uninstall -q --python $P tensorflow-probability

# ---- batch3
P=$ENVS/explain-tf221/bin/python
PIP="/work/main/.venv/bin/pip --python $P"
E="tensorflow-cpu 2.21.0, keras 3.15.1, numpy 2.4.6, protobuf 7.36.2"
M=/work/tmp-explain/models
capture real_tf221_backend_jax "$E, KERAS_BACKEND=jax, jax not installed" -- env KERAS_BACKEND=jax $P -c "import keras"
capture real_tf221_backend_torch "$E, KERAS_BACKEND=torch, torch not installed" -- env KERAS_BACKEND=torch $P -c "import keras"
capture real_tf221_backend_theano "$E, KERAS_BACKEND=theano" -- env KERAS_BACKEND=theano $P -c "import keras"
capture real_tf221_legacy_keras_missing "$E, TF_USE_LEGACY_KERAS=1, tf-keras not installed" -- env TF_USE_LEGACY_KERAS=1 $P -c "import tensorflow as tf; model = tf.keras.Sequential()"
capture real_tf221_save_dir "$E" -- $P -c "import keras; m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]); m.save('my_model')"
capture real_tf221_load_savedmodel "$E; my_model is a SavedModel folder written by tf.keras Model.save under tensorflow-cpu 2.15.1" -- $P -c "import keras; m = keras.models.load_model('$M/k2_savedmodel')"
capture real_tf221_load_h5_tfoplambda "$E; model.h5 written by tf.keras 2.15 (a functional model calling tf.math.reduce_sum)" -- $P -c "import keras; m = keras.models.load_model('$M/k2_tfop.h5')"
capture real_tf221_adam_lr "$E" -- $P -c "import keras; opt = keras.optimizers.Adam(lr=0.001)"
capture real_tf221_preprocessing_text "$E" -- $P -c "from keras.preprocessing.text import Tokenizer"
capture real_tf221_layers_experimental "$E" -- $P -c "from tensorflow.keras.layers.experimental.preprocessing import Rescaling"
$P -c "import keras; m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]); m.save('$M/k3_model.keras')" >/dev/null 2>&1
# tf-keras 2.21 beside keras 3
$UV pip install -q --python $P --no-deps tf-keras==2.21.0
capture real_tf221_mixed_tf_keras_in_keras3 "$E, tf-keras 2.21.0" -- $P -c "import keras, tf_keras; m = keras.Sequential([tf_keras.layers.Dense(1)])"
capture real_tf221_mixed_keras3_in_tf_keras "$E, tf-keras 2.21.0" -- $P -c "import keras, tf_keras; m = tf_keras.Sequential([keras.layers.Dense(1)])"
capture real_tf221_mixed_optimizer "$E, tf-keras 2.21.0" -- $P -c "import keras, tf_keras; m = tf_keras.Sequential([tf_keras.Input((3,)), tf_keras.layers.Dense(1)]); m.compile(optimizer=keras.optimizers.Adam(), loss='mse')"
# tf-keras whose minor differs from TensorFlow's
$UV pip install -q --python $P --no-deps tf-keras==2.15.1
capture real_tf221_tf_keras_215 "tensorflow-cpu 2.21.0 with tf-keras 2.15.1 forced, TF_USE_LEGACY_KERAS=1" -- env TF_USE_LEGACY_KERAS=1 $P -c "import tensorflow as tf; model = tf.keras.Sequential([tf.keras.layers.Dense(1)])"
$UV pip uninstall -q --python $P tf-keras
# Keras 2 forced beside TF 2.21
$UV pip install -q --python $P --no-deps keras==2.15.0
capture real_tf221_keras215 "tensorflow-cpu 2.21.0 with keras 2.15.0 forced (uv pip install --no-deps keras==2.15.0)" -- $P -c "import tensorflow as tf; model = tf.keras.Sequential([tf.keras.layers.Dense(1)])"
capture real_tf221_keras215_import_keras "tensorflow-cpu 2.21.0 with keras 2.15.0 forced" -- $P -c "import keras; model = keras.Sequential([keras.layers.Dense(1)])"
capture real_pip_check_keras215 "tensorflow-cpu 2.21.0 with keras 2.15.0 forced" -- $PIP check
$UV pip install -q --python $P --no-deps keras==3.15.1
# protobuf outside TF 2.21's range
$UV pip install -q --python $P --no-deps protobuf==5.28.3
capture real_tf221_protobuf5 "tensorflow-cpu 2.21.0 with protobuf 5.28.3 forced" -- $P -c "import tensorflow as tf"
$UV pip install -q --python $P --no-deps protobuf==3.20.3
capture real_tf221_protobuf320 "tensorflow-cpu 2.21.0 with protobuf 3.20.3 forced" -- $P -c "import tensorflow as tf"
$UV pip install -q --python $P --no-deps protobuf==7.36.2

# ---- batch4
P15=$ENVS/explain-tf215/bin/python
P21=$ENVS/explain-tf221/bin/python
E15="tensorflow-cpu 2.15.1, keras 2.15.0, numpy 1.26.4, protobuf 4.25.9"
E21="tensorflow-cpu 2.21.0, keras 3.15.1, numpy 2.4.6, protobuf 7.36.2"
M=/work/tmp-explain/models
capture real_tf215_load_keras3_file "$E15; model.keras written by keras 3.15.1 (tensorflow-cpu 2.21.0)" -- $P15 -c "import tensorflow as tf; m = tf.keras.models.load_model('$M/k3_model.keras')"
PY313=$(pyenv prefix 3.13.0)/bin/python3.13
capture real_pip_python313_tf215 "CPython 3.13.0 (pyenv), pip" -- $PY313 -m pip install --dry-run --no-cache-dir tensorflow-cpu==2.15.1
capture real_uv_python313_tf215 "CPython 3.13.0 (pyenv), uv $($UV --version | cut -d' ' -f2)" -- $UV pip install --dry-run --python $PY313 tensorflow-cpu==2.15.1
capture real_pip_unsupported_wheel "$E21, pip 23.2.1 on Linux x86_64" -- /work/main/.venv/bin/pip --python $P21 install --dry-run https://files.pythonhosted.org/packages/source/t/tensorflow-macos/tensorflow_macos-2.15.0-cp311-cp311-macosx_12_0_arm64.whl
# pip -v names its Python: the wheel's Python tag fits (platform misfits), or does not (python)
$UV venv -q --seed --python 3.11 /work/tmp-explain/whl
WP=/work/tmp-explain/whl/bin/python
capture real_pip_wheel_other_platform "CPython 3.11 venv (uv venv --seed), pip on Linux x86_64" -- $WP -m pip install -v --dry-run https://files.pythonhosted.org/packages/source/t/tensorflow-macos/tensorflow_macos-2.15.0-cp311-cp311-macosx_12_0_arm64.whl
capture real_pip_wheel_other_python "CPython 3.11 venv (uv venv --seed), pip on Linux x86_64" -- $WP -m pip install -v --dry-run https://files.pythonhosted.org/packages/source/t/tensorflow-cpu/tensorflow_cpu-2.21.0-cp310-cp310-manylinux_2_27_x86_64.whl
# duplicate distributions of the keras module, in a scratch venv
$UV venv -q /work/tmp-explain/dup --python 3.11
# leftovers of an interrupted install: a '~'-prefixed dist-info folder
mkdir -p /work/tmp-explain/dup/lib/python3.11/site-packages/~eras-3.15.1.dist-info
cp /work/tmp-explain/dup/lib/python3.11/site-packages/keras-3.15.1.dist-info/METADATA /work/tmp-explain/dup/lib/python3.11/site-packages/~eras-3.15.1.dist-info/
capture real_pip_invalid_distribution "scratch CPython 3.11 venv with a leftover ~eras-3.15.1.dist-info folder (what an interrupted pip uninstall leaves)" -- /work/main/.venv/bin/pip --python /work/tmp-explain/dup/bin/python list
# a package whose metadata says conda installed it and that has no RECORD
$UV pip install -q --python /work/tmp-explain/dup/bin/python --no-deps six==1.16.0
D=/work/tmp-explain/dup/lib/python3.11/site-packages/six-1.16.0.dist-info
echo conda > $D/INSTALLER; rm -f $D/RECORD
capture real_pip_conda_record "scratch CPython 3.11 venv; six-1.16.0.dist-info with INSTALLER=conda and no RECORD (as conda leaves it)" -- /work/main/.venv/bin/pip --python /work/tmp-explain/dup/bin/python install --no-deps six==1.17.0
# broken install: a shared library listed in RECORD is missing
SO=$ENVS/explain-tf215/lib/python3.11/site-packages/tensorflow/libtensorflow_framework.so.2
mv $SO $SO.moved
capture real_tf215_missing_so "$E15; tensorflow/libtensorflow_framework.so.2 (listed in RECORD) removed" -- $P15 -c "import tensorflow as tf"
mv $SO.moved $SO
# dependent packages under TF 2.21
$UV pip install -q --python $P21 --no-deps tensorflow-addons==0.23.0 typeguard==2.13.3
capture real_tf221_tfa "$E21, tensorflow-addons 0.23.0 forced (--no-deps)" -- $P21 -c "import tensorflow_addons as tfa; print(tfa.activations.gelu)"
$UV pip uninstall -q --python $P21 tensorflow-addons typeguard
$UV pip install -q --python $P21 --no-deps transformers==4.46.3 huggingface-hub==0.26.2 tokenizers==0.20.3 safetensors regex pyyaml tqdm filelock fsspec
capture real_tf221_transformers "$E21, transformers 4.46.3 (--no-deps)" -- $P21 -c "from transformers import TFBertModel"
$UV pip uninstall -q --python $P21 transformers huggingface-hub tokenizers safetensors regex pyyaml tqdm filelock fsspec

# ---- batch6
P15=$ENVS/explain-tf215/bin/python
$UV pip install -q --python $P15 --no-deps keras-nightly==3.16.0.dev2026102704
capture real_pip_list_keras_nightly_dup "tensorflow-cpu 2.15.1, keras 2.15.0 and keras-nightly 3.16.0.dev2026102704 both installed" -- bash -c "/work/main/.venv/bin/pip --python $P15 list 2>&1 | grep -i keras"
$UV pip uninstall -q --python $P15 keras-nightly
capture real_tf215_after_nightly_uninstall "tensorflow-cpu 2.15.1, keras 2.15.0 after 'uv pip uninstall keras-nightly' removed the files both shared" -- $P15 -c "import tensorflow as tf; model = tf.keras.Sequential([tf.keras.layers.Dense(1)])"
$UV pip install -q --python $P15 --no-deps --reinstall keras==2.15.0
capture negative_tf215_ok "tensorflow-cpu 2.15.1, keras 2.15.0 restored (uv pip install --reinstall keras==2.15.0)" -- $P15 -c "import tensorflow as tf; model = tf.keras.Sequential([tf.keras.layers.Dense(1)]); print('ok')"

# ---- batch7
P15=$ENVS/explain-tf215/bin/python
PIP="/work/main/.venv/bin/pip --python $P15"
E15="tensorflow-cpu 2.15.1, keras 2.15.0, numpy 1.26.4, protobuf 4.25.9"
capture real_pip_install_keras3 "$E15; pip 23.2.1" -- $PIP install keras==3.6.0
$UV pip install -q --python $P15 --no-deps keras==2.15.0
capture real_pip_install_numpy2 "$E15; pip 23.2.1" -- $PIP install numpy==2.0.2
$UV pip install -q --python $P15 --no-deps numpy==1.26.4
capture real_pip_install_ml_dtypes "$E15; pip 23.2.1" -- $PIP install ml-dtypes==0.4.0
$UV pip install -q --python $P15 --no-deps ml-dtypes==0.3.2
capture real_pip_resolution_impossible "CPython 3.11 venv; pip 23.2.1" -- $PIP install --dry-run tensorflow-cpu==2.15.1 keras==3.6.0
capture real_not_installed_tf_hub "$E15" -- $P15 -c "import tensorflow_hub as hub"

# ---- batch8
P15=$ENVS/explain-tf215/bin/python
P21=$ENVS/explain-tf221/bin/python
E21="tensorflow-cpu 2.21.0, keras 3.15.1, numpy 2.4.6, protobuf 7.36.2"
capture real_tf221_no_tf_keras "$E21, tf-keras not installed" -- $P21 -c "from tf_keras import layers"
$UV pip install -q --python $P15 --no-deps ml-dtypes==0.4.0
capture real_pip_check_ml_dtypes "tensorflow-cpu 2.15.1 with ml-dtypes 0.4.0 forced (uv pip install --no-deps ml-dtypes==0.4.0)" -- /work/main/.venv/bin/pip --python $P15 check
capture real_uv_pip_check_ml_dtypes "tensorflow-cpu 2.15.1 with ml-dtypes 0.4.0 forced" -- $UV pip check --python $P15
$UV pip install -q --python $P15 --no-deps ml-dtypes==0.3.2

# ---- negatives: working runs and an unrelated user error
P15=$ENVS/explain-tf215/bin/python
P21=$ENVS/explain-tf221/bin/python
FIT="import numpy as np, tensorflow as tf; m = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation='relu'), tf.keras.layers.Dense(1)]); m.compile('adam', 'mse', metrics=['mae']); m.fit(np.random.rand(512, 4), np.random.rand(512, 1), epochs=3, batch_size=32, validation_split=0.2, verbose=1); m.evaluate(np.random.rand(64, 4), np.random.rand(64, 1), verbose=2)"
capture negative_tf215_fit "tensorflow-cpu 2.15.1, keras 2.15.0 (working)" -- $P15 -c "$FIT"
capture negative_tf221_fit "tensorflow-cpu 2.21.0, keras 3.15.1 (working)" -- $P21 -c "$FIT"
capture negative_user_keyerror "tensorflow-cpu 2.21.0; a user script that reads a missing config key" -- bash -c "printf 'import tensorflow as tf\nconfig = {\"epochs\": 3}\nlr = config[\"learning_rate\"]\n' > train.py && $P21 train.py"

# ---- keras messages harvested from keras/tf-keras/TensorFlow sources (branch minekeras): run in
# the test suite's cached environments (tests/envs.py): tf221 (tensorflow-cpu 2.21.0, keras
# 3.15.1), tf221-tfkeras-deps (tensorflow 2.21.0, keras 3.15.1, tf-keras 2.21.0), tf215
P21K=$(ls -d ~/.cache/tfdoctor-test-envs/tf221-[0-9a-f]*/bin/python | head -1)
PTK=$(ls -d ~/.cache/tfdoctor-test-envs/tf221-tfkeras-deps-*/bin/python | head -1)
P15K=$(ls -d ~/.cache/tfdoctor-test-envs/tf215-[0-9a-f]*/bin/python | head -1)
K3="tensorflow-cpu 2.21.0, keras 3.15.1 (tests/envs.py env tf221)"
KT="tensorflow 2.21.0, keras 3.15.1, tf-keras 2.21.0 (tests/envs.py env tf221-tfkeras-deps)"
mkdir -p /tmp/mk_runs
$P15K -c "import tensorflow as tf; m = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)]); m.compile(optimizer='adam', loss='mse', metrics=['mae']); m.save('/tmp/mk_runs/k2_mse.h5')"
capture real_tf221_save_weights_h5 "$K3" -- $P21K -c "import keras; m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]); m.save_weights('weights.h5')"
capture real_tf221_load_h5_mse "$K3; k2_mse.h5 written by tf.keras 2.15 (tensorflow-cpu 2.15.1) after compile(loss='mse', metrics=['mae'])" -- $P21K -c "import keras; keras.models.load_model('/tmp/mk_runs/k2_mse.h5')"
capture real_tf221_compat_v1_layers "tensorflow-cpu 2.21.0, keras 3.15.1 (tests/envs.py env tf221), tf-keras not installed" -- $P21K -c "import tensorflow as tf; tf.compat.v1.disable_eager_execution(); x = tf.compat.v1.placeholder(tf.float32, (None, 3)); y = tf.compat.v1.layers.dense(x, 2)"
capture real_tf221_mixed_tf_keras_checkpoint_keras3 "$KT" -- $PTK -c "import numpy as np, keras, tf_keras; m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]); m.compile('adam', 'mse'); m.fit(np.zeros((4, 3)), np.zeros((4, 2)), callbacks=[tf_keras.callbacks.ModelCheckpoint('c.h5')], verbose=0)"
capture real_tf221_mixed_keras3_metric_tf_keras "$KT" -- $PTK -c "import numpy as np, keras, tf_keras; m = tf_keras.Sequential([tf_keras.Input((3,)), tf_keras.layers.Dense(2)]); m.compile('adam', 'mse', metrics=[keras.metrics.AUC()]); m.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)"
capture real_tf221_mixed_tf_keras_layer_on_keras3_input "$KT" -- $PTK -c "import keras, tf_keras, tensorflow as tf; L = type('SumLayer', (tf_keras.layers.Layer,), {'call': lambda self, x: tf.reduce_sum(x, axis=-1)}); y = L()(keras.Input((3,)))"
capture real_tf221_mixed_keras3_timedistributed_tf_keras "$KT" -- $PTK -c "import keras, tf_keras; keras.layers.TimeDistributed(tf_keras.layers.Dense(2))"
capture real_tf221_mixed_tf_keras_bidirectional_keras3 "$KT" -- $PTK -c "import keras, tf_keras; tf_keras.layers.Bidirectional(keras.layers.LSTM(2))"
capture real_tf221_keras_json_channels_first "$K3; KERAS_HOME is a folder whose keras.json sets image_data_format channels_first" -- bash -c "mkdir -p kh && echo '{\"image_data_format\": \"channels_first\", \"backend\": \"tensorflow\"}' > kh/keras.json && KERAS_HOME=\$PWD/kh $P21K -c 'import keras; keras.applications.DenseNet121(weights=None)'"
