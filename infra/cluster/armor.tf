# The edge of every environment's load balancer: the BackendConfig of the Spin apps
# (k8s/base/backendconfig.yaml, securityPolicy) attaches this Cloud Armor policy to each backend
# service the Ingress creates, and the FrontendConfig of HTTPS (k8s/components/https) names the
# SSL policy. Per-client limits, keyed on the client's IP, sized in DEPLOY.md from BENCHMARKS.md
# (deploy-tests/test_edge.py recomputes them): a client over the limit gets 429 for the rest of
# the minute; a client that keeps writing far over it is banned for var.write_ban_seconds.
resource "google_compute_security_policy" "edge" {
  name        = "todo-edge"
  description = "Per-client rate limits of the todo app"
  type        = "CLOUD_ARMOR"
  depends_on  = [google_project_service.apis]

  # Sources exempt from the limits (a load test's runner, say): none by default.
  dynamic "rule" {
    for_each = length(var.rate_limit_exempt_ranges) > 0 ? [var.rate_limit_exempt_ranges] : []
    content {
      action      = "allow"
      priority    = 100
      description = "exempt from the rate limits"
      match {
        versioned_expr = "SRC_IPS_V1"
        config {
          src_ip_ranges = rule.value
        }
      }
    }
  }

  rule {
    action      = "rate_based_ban"
    priority    = 1000
    description = "writes per client"
    match {
      expr {
        expression = "request.method == 'POST' || request.method == 'PATCH' || request.method == 'PUT' || request.method == 'DELETE'"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.write_limit_per_minute
        interval_sec = 60
      }
      ban_threshold {
        count        = var.write_limit_per_minute * 5
        interval_sec = 300
      }
      ban_duration_sec = var.write_ban_seconds
    }
  }

  rule {
    action      = "throttle"
    priority    = 2000
    description = "reads per client"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.read_limit_per_minute
        interval_sec = 60
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "default rule"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

# HTTPS from TLS 1.2 up, with the MODERN profile's ciphers (the FrontendConfig names it).
resource "google_compute_ssl_policy" "tls" {
  name            = "todo-tls"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
  depends_on      = [google_project_service.apis]
}
