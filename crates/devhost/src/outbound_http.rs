//! `wasi:http/outgoing-handler`: requests only to the component's `allowed_outbound_hosts`;
//! any other is refused with `HttpRequestDenied`, the error code Spin gives.

use std::sync::Arc;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_hooks};

use crate::allowed_hosts::AllowedHosts;

pub(crate) struct OutboundHttp {
    pub component_id: Arc<str>,
    pub allowed: Arc<AllowedHosts>,
}

type ResponseFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

impl WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> ResponseFuture {
        let uri = request.uri();
        let target = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("https"),
            uri.authority().map_or("", |a| a.as_str())
        );
        if !self.allowed.allows_url(&target, "https") {
            eprintln!(
                "devhost: component {:?} tried to make an HTTP request to non-allowed host {target:?}; \
                 add it to the component's allowed_outbound_hosts",
                self.component_id
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        default_hooks().send_request(request, options, fut)
    }
}
