//! An application loaded from its manifest: variables resolved, components compiled and
//! pre-instantiated, routes built. Everything that can be wrong is found here, at start-up.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::allowed_hosts::AllowedHosts;
use crate::engine;
use crate::instance::{self, PreparedComponent};
use crate::limits::GuestLimits;
use crate::manifest::Manifest;
use crate::outbound_http::{self, PooledClient};
use crate::routes::Router;
use crate::variables::{AppVariables, ComponentVariables};

pub(crate) struct App {
    pub router: Router,
    /// Indexed by `RouteMatch::component`.
    pub components: Vec<PreparedComponent>,
    pub pools: OutboundPools,
    pub limits: GuestLimits,
}

/// The outbound connections kept across requests, shared by every component's instances.
pub(crate) struct OutboundPools {
    pub postgres: outbound_pg::Pools,
    pub http: PooledClient,
}

impl App {
    pub fn load(manifest_path: &Path, overrides: &HashMap<String, String>, limits: GuestLimits) -> Result<Self> {
        let manifest = Manifest::load(manifest_path)?;
        let base_dir = manifest_path.parent().unwrap_or(Path::new("."));
        let variables = AppVariables::resolve(&manifest.variables, overrides)?;
        let linker = instance::linker(engine::engine()?)?;

        // Only the components that a trigger routes to are loaded, as in Spin.
        let mut component_ids: Vec<&str> = Vec::new();
        let mut routes = Vec::new();
        for trigger in &manifest.trigger.http {
            let index = match component_ids.iter().position(|id| *id == trigger.component) {
                Some(index) => index,
                None => {
                    component_ids.push(&trigger.component);
                    component_ids.len() - 1
                }
            };
            routes.push((trigger.route.as_str(), index));
        }
        let (router, duplicates) = Router::build(routes)?;
        for duplicate in duplicates {
            eprintln!(
                "devhost: route {:?} of component {:?} is a duplicate and will never be used (component {:?} wins)",
                duplicate.route, component_ids[duplicate.replaced], component_ids[duplicate.effective]
            );
        }

        let components = component_ids
            .iter()
            .map(|id| {
                let def = &manifest.component[*id];
                let allowed = def
                    .allowed_outbound_hosts
                    .iter()
                    .map(|entry| variables.render(entry))
                    .collect::<Result<Vec<_>>>()
                    .and_then(|entries| AllowedHosts::parse(&entries))
                    .with_context(|| format!("component.{id}.allowed_outbound_hosts"))?;
                let component_variables = ComponentVariables::resolve(id, &def.variables, &variables)?;
                let environment = def.environment.clone().into_iter().collect();
                let component = engine::load_component(&base_dir.join(&def.source))
                    .with_context(|| format!("component.{id}.source"))?;
                PreparedComponent::new(id, &component, &linker, component_variables, allowed, environment)
            })
            .collect::<Result<_>>()?;

        Ok(Self {
            router,
            components,
            pools: OutboundPools { postgres: outbound_pg::Pools::default(), http: outbound_http::pooled_client() },
            limits,
        })
    }
}
