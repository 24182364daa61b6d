"""Sources other than ABLATOR folders: Optuna storages (``optuna``), Ray Tune experiment
folders (``ray``) and MLflow stores (``mlflow_files``, ``mlflow_db``), each read without its
library into the batch tables the ABLATOR parser makes (``base``); ``detect`` tells by content
what a path holds, ``space`` infers a search space from values."""
