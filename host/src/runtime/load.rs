//! Loading a transform component: precompiled artifact first, contract check, `describe`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::Component;
use wasmtime::{Engine, Precompiled};

use super::{Transform, TransformRuntime};
use crate::contract::CONTRACT;

/// Where a transform is and how the deployment configures it.
#[derive(Debug, Clone, Default)]
pub struct TransformSpec {
    /// The component: a `.wasm` file, or a `.cwasm` artifact made by `connect-rt precompile`.
    /// For a `.wasm` path, a `.cwasm` beside it is used when it is valid for this engine.
    pub path: PathBuf,
    /// Values the guest reads with `get-config`.
    pub config: BTreeMap<String, String>,
    /// Whether compiling a `.wasm` at load is allowed when no valid artifact exists. The
    /// Lambda sets this to false so that a cold start never compiles.
    pub allow_compile: bool,
}

/// Why a transform could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "transform {path}: no valid precompiled artifact ({reason}) and compiling at load is off"
    )]
    NotPrecompiled { path: PathBuf, reason: String },
    #[error(
        "transform {path}: the precompiled artifact cannot be used here ({reason}) and a \
         `.cwasm` cannot be compiled; pass the `.wasm` it was made from, or precompile it again \
         on this machine or with `connect-rt precompile --target`"
    )]
    UnusableArtifact { path: PathBuf, reason: String },
    #[error("transform {path}: no such file, and no precompiled artifact beside it")]
    Missing { path: PathBuf },
    #[error("transform {path}: failed to read or compile the component: {source:#}")]
    Component {
        path: PathBuf,
        source: anyhow::Error,
    },
    #[error("transform {path}: imports {import}, which this host does not grant")]
    ForbiddenImport { path: PathBuf, import: String },
    #[error("transform {path} does not implement {CONTRACT}: {source:#}")]
    Contract {
        path: PathBuf,
        source: anyhow::Error,
    },
    #[error("transform {path}: describe failed: {source:#}")]
    Describe {
        path: PathBuf,
        source: anyhow::Error,
    },
}

/// Interfaces a guest may import. The wasip2 standard library links clocks, random, I/O,
/// CLI (environment, exit, std streams) and filesystem types; the context behind them grants
/// nothing (no preopened directories, no variables). Sockets and HTTP are refused at load.
const ALLOWED_IMPORTS: &[&str] = &[
    "connect-rt:transform/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:io/",
    "wasi:cli/",
    "wasi:filesystem/",
];

impl TransformRuntime {
    /// Loads a transform, checks that it implements the contract and imports nothing beyond
    /// what the host grants, and calls `describe`.
    ///
    /// # Errors
    /// A [`LoadError`] naming the file and what is wrong with it.
    pub fn load(&self, spec: &TransformSpec) -> Result<Transform, LoadError> {
        let started = Instant::now();
        let (component, precompiled) = self.component(spec)?;
        check_imports(&self.engine, &component, &spec.path)?;

        let pre = self
            .instantiate_pre(&component)
            .map_err(|source| LoadError::Contract {
                path: spec.path.clone(),
                source,
            })?;
        let mut transform = Transform {
            info: placeholder_info(),
            pre,
            engine: self.engine.clone(),
            limits: self.limits.clone(),
            name: Arc::from(spec.path.display().to_string()),
            config: Arc::new(spec.config.clone()),
        };
        transform.info = describe(&transform).map_err(|source| LoadError::Describe {
            path: spec.path.clone(),
            source,
        })?;
        transform.name = Arc::from(transform.info.name.as_str());

        tracing::info!(
            transform = %transform.info.name,
            version = %transform.info.version,
            path = %spec.path.display(),
            precompiled,
            load_ms = started.elapsed().as_millis() as u64,
            "transform loaded",
        );
        Ok(transform)
    }

    /// The component, from a valid precompiled artifact when there is one.
    fn component(&self, spec: &TransformSpec) -> Result<(Component, bool), LoadError> {
        let artifact = artifact_path(&spec.path);
        let reason = match deserialize(&self.engine, &artifact) {
            Ok(component) => return Ok((component, true)),
            Err(reason) => reason,
        };
        if is_artifact(&spec.path) {
            return Err(LoadError::UnusableArtifact {
                path: spec.path.clone(),
                reason,
            });
        }
        if !spec.path.exists() {
            return Err(LoadError::Missing {
                path: spec.path.clone(),
            });
        }
        if !spec.allow_compile {
            return Err(LoadError::NotPrecompiled {
                path: spec.path.clone(),
                reason,
            });
        }

        tracing::warn!(
            path = %spec.path.display(),
            reason = %reason,
            "compiling transform at load; run `connect-rt precompile` to avoid this",
        );
        let component = Component::from_file(&self.engine, &spec.path).map_err(|source| {
            LoadError::Component {
                path: spec.path.clone(),
                source: source.into(),
            }
        })?;
        Ok((component, false))
    }
}

/// The precompiled artifact for `path`: itself when it is one, else `<stem>.cwasm` beside it.
pub fn artifact_path(path: &Path) -> PathBuf {
    if is_artifact(path) {
        path.to_owned()
    } else {
        path.with_extension("cwasm")
    }
}

fn is_artifact(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "cwasm")
}

/// Deserializes a precompiled component, or says why it cannot be used.
fn deserialize(engine: &Engine, artifact: &Path) -> Result<Component, String> {
    match Engine::detect_precompiled_file(artifact) {
        Ok(Some(Precompiled::Component)) => {}
        Ok(_) => {
            return Err(format!(
                "{} is not a precompiled component",
                artifact.display()
            ));
        }
        Err(_) if !artifact.exists() => return Err(format!("{} not found", artifact.display())),
        Err(e) => return Err(format!("{} could not be read: {e}", artifact.display())),
    }
    // SAFETY: the artifact is one this project's `precompile` command wrote with
    // `engine_config`; deserializing checks that the wasmtime version and engine settings
    // match and refuses it otherwise. Artifacts must come from a trusted build, as
    // documented in the README (a `.cwasm` is native code).
    unsafe { Component::deserialize_file(engine, artifact) }.map_err(|e| format!("{e:#}"))
}

fn check_imports(engine: &Engine, component: &Component, path: &Path) -> Result<(), LoadError> {
    let ty = component.component_type();
    for (name, _) in ty.imports(engine) {
        if !ALLOWED_IMPORTS
            .iter()
            .any(|prefix| name.starts_with(prefix))
        {
            return Err(LoadError::ForbiddenImport {
                path: path.to_owned(),
                import: name.to_owned(),
            });
        }
    }
    Ok(())
}

fn placeholder_info() -> crate::contract::TransformInfo {
    crate::contract::TransformInfo {
        name: String::new(),
        version: String::new(),
        sources: Vec::new(),
        tables: Vec::new(),
    }
}

fn describe(transform: &Transform) -> anyhow::Result<crate::contract::TransformInfo> {
    let mut store = transform.new_store(Arc::from(Vec::new()));

    let guest = transform.pre.instantiate(&mut store)?;
    let info = guest
        .connect_rt_transform_transform()
        .call_describe(&mut store)?;
    anyhow::ensure!(!info.name.is_empty(), "describe returned an empty name");
    Ok(info)
}
