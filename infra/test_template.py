"""Offline checks of infra/template.yaml against the host it deploys.

The template is read as YAML (CloudFormation's short-form tags become their long forms) and
compared with the host's own sources: the environment variables `host/src/lambda/config.rs`
reads, the Amazon Connect operations `host/src/collect/client.rs` calls and the metric names
in `host/src/lambda/metrics.rs`. Run with `python3 infra/test_template.py` (prints a closing
"infra: N passed, N failed" line) or `python3 -m unittest discover -s infra`.
"""

import re
import sys
import unittest
from pathlib import Path

import yaml

INFRA = Path(__file__).resolve().parent
ROOT = INFRA.parent
TEMPLATE = INFRA / "template.yaml"
CONFIG_RS = ROOT / "host" / "src" / "lambda" / "config.rs"
COLLECT_CLIENT_RS = ROOT / "host" / "src" / "collect" / "client.rs"
METRICS_RS = ROOT / "host" / "src" / "lambda" / "metrics.rs"
OPERATIONS_MD = ROOT / "docs" / "operations.md"
LAYER_SCRIPT = INFRA / "build-transforms-layer.sh"

TABLES = {"AgentEvent", "AgentEvent_Contact", "ContactEvent", "Instance", "Queue", "User"}
FOR_EACH = "Fn::ForEach::"
DEAD_LETTER_QUEUE_ARN = {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}


class CloudFormationLoader(yaml.SafeLoader):
    """A YAML loader that turns `!Ref x` into {"Ref": x}, `!GetAtt a.b` into
    {"Fn::GetAtt": [a, b]} and any other `!Name v` into {"Fn::Name": v}."""


def _construct_short_form(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)

    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _construct_short_form)


def load_template():
    with TEMPLATE.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=CloudFormationLoader)


def config_variables():
    """The environment variable names config.rs reads: its upper-case string literals with an
    underscore, outside its test module."""
    source = CONFIG_RS.read_text(encoding="utf-8").split("#[cfg(test)]")[0]
    return set(re.findall(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"', source))


def collector_operations():
    """The Amazon Connect operations the collector calls, as IAM actions."""
    source = COLLECT_CLIENT_RS.read_text(encoding="utf-8")
    calls = set(re.findall(r"self\s*\.client\s*\.\s*([a-z_]+)\s*\(", source))
    return {"connect:" + "".join(w.capitalize() for w in call.split("_")) for call in calls}


def metric_names():
    source = METRICS_RS.read_text(encoding="utf-8")
    table = source.split("pub const METRICS")[1].split("];")[0]
    return re.findall(r'\(\s*"([A-Za-z]+)"\s*,', table)


def resources(template):
    """Every resource by logical id, those made by Fn::ForEach under their id template."""
    found = {}
    for key, value in template["Resources"].items():
        if key.startswith(FOR_EACH):
            found.update(value[2])
        else:
            found[key] = value
    return found


def of_type(template, kind):
    return {k: v for k, v in resources(template).items() if v["Type"] == kind}


def only(template, kind):
    matches = list(of_type(template, kind).values())
    assert len(matches) == 1, f"expected one {kind}, found {len(matches)}"
    return matches[0]


def find_in_map(template, value):
    mapping, key, name = value["Fn::FindInMap"]
    return template["Mappings"][mapping][key][name]


def as_list(value):
    return value if isinstance(value, list) else [value]


def role_statements(template, role_id):
    """Every statement of the role's inline policies and of RolePolicy resources on it."""
    role = resources(template)[role_id]["Properties"]
    documents = [p["PolicyDocument"] for p in role.get("Policies", [])]
    for policy in of_type(template, "AWS::IAM::RolePolicy").values():
        if policy["Properties"]["RoleName"] == {"Ref": role_id}:
            documents.append(policy["Properties"]["PolicyDocument"])

    statements = []
    for document in documents:
        for statement in document["Statement"]:
            if "Fn::If" in statement:
                statements.append(statement["Fn::If"][1])
            else:
                statements.append(statement)
    return statements


def actions_of(statements):
    return {a for s in statements for a in as_list(s["Action"])}


class Sources(unittest.TestCase):
    """The parsers read what the host's sources hold (so the other checks can fail)."""

    def test_config_parser_finds_the_lambda_settings(self):
        names = config_variables()
        for name in (
            "TIMESTREAM_DATABASE",
            "DEAD_LETTER_QUEUE_URL",
            "CONNECT_INSTANCE_IDS",
            "TRANSFORMS_DIR",
            "MEMORY_STORE_RETENTION_HOURS",
        ):
            self.assertIn(name, names)
        self.assertGreaterEqual(len(names), 15)

    def test_collector_parser_finds_the_connect_calls(self):
        operations = collector_operations()
        self.assertIn("connect:DescribeInstance", operations)
        self.assertIn("connect:GetCurrentUserData", operations)
        self.assertGreaterEqual(len(operations), 9)

    def test_metric_parser_finds_every_metric(self):
        names = metric_names()
        self.assertEqual(names[0], "EventsIn")
        self.assertIn("TransformTime", names)
        self.assertEqual(len(names), len(set(names)))


class Parameters(unittest.TestCase):
    def setUp(self):
        self.parameters = load_template()["Parameters"]

    def test_database_name_defaults_to_connect_real_time(self):
        self.assertEqual(self.parameters["DatabaseName"]["Default"], "ConnectRealTime")

    def test_schedule_defaults_to_every_five_minutes(self):
        self.assertEqual(self.parameters["ScheduleRate"]["Default"], "rate(5 minutes)")

    def test_instance_ids_are_a_list(self):
        self.assertEqual(self.parameters["ConnectInstanceIds"]["Type"], "CommaDelimitedList")

    def test_log_level_cannot_hide_info_lines(self):
        # EMF metric lines carry no "level": Lambda files them as INFO.
        self.assertEqual(self.parameters["LogLevel"]["AllowedValues"], ["TRACE", "DEBUG", "INFO"])
        self.assertEqual(self.parameters["LogLevel"]["Default"], "INFO")

    def test_stream_and_layer_are_required(self):
        for name in ("AgentEventStreamArn", "TransformLayerArn", "ConnectInstanceIds"):
            self.assertNotIn("Default", self.parameters[name], name)


class Timestream(unittest.TestCase):
    def setUp(self):
        self.template = load_template()
        self.tables = of_type(self.template, "AWS::Timestream::Table")

    def test_the_six_tables_exist(self):
        names = [t["Properties"]["TableName"] for t in self.tables.values()]
        self.assertEqual(sorted(names), sorted(TABLES))

    def test_tables_keep_25_hours_in_memory_and_365_days_on_magnetic(self):
        for table in self.tables.values():
            retention = table["Properties"]["RetentionProperties"]
            hours = find_in_map(self.template, retention["MemoryStoreRetentionPeriodInHours"])
            days = find_in_map(self.template, retention["MagneticStoreRetentionPeriodInDays"])
            self.assertEqual((hours, days), ("25", "365"), table["Properties"]["TableName"])

    def test_magnetic_store_writes_are_off(self):
        for table in self.tables.values():
            writes = table["Properties"]["MagneticStoreWriteProperties"]
            self.assertIs(writes["EnableMagneticStoreWrites"], False)

    def test_tables_are_in_the_encrypted_database(self):
        database = only(self.template, "AWS::Timestream::Database")["Properties"]
        self.assertEqual(database["DatabaseName"], {"Ref": "DatabaseName"})
        self.assertEqual(database["KmsKeyId"], {"Fn::GetAtt": ["DataKey", "Arn"]})
        for table in self.tables.values():
            self.assertEqual(table["Properties"]["DatabaseName"], {"Ref": "Database"})

    def test_host_checks_times_against_the_tables_retention(self):
        variables = function(self.template)["Environment"]["Variables"]
        hours = find_in_map(self.template, variables["MEMORY_STORE_RETENTION_HOURS"])
        self.assertEqual(hours, "25")


def function(template):
    return only(template, "AWS::Serverless::Function")["Properties"]


class Function(unittest.TestCase):
    def setUp(self):
        self.template = load_template()
        self.function = function(self.template)

    def test_runs_bootstrap_on_arm64_al2023(self):
        self.assertEqual(self.function["Architectures"], ["arm64"])
        self.assertEqual(self.function["Runtime"], "provided.al2023")
        self.assertEqual(self.function["Handler"], "bootstrap")
        self.assertEqual(self.function["CodeUri"], "../target/lambda/bootstrap/")

    def test_size_and_timeout(self):
        self.assertEqual(self.function["MemorySize"], 128)
        self.assertEqual(self.function["Timeout"], 60)

    def test_loads_transforms_from_the_layer(self):
        self.assertEqual(self.function["Layers"], [{"Ref": "TransformLayerArn"}])
        variables = self.function["Environment"]["Variables"]
        self.assertEqual(variables["TRANSFORMS_DIR"], "/opt/transforms")
        self.assertEqual(variables["ALLOW_COMPILE"], "false")

    def test_every_variable_is_one_the_host_reads(self):
        variables = set(self.function["Environment"]["Variables"])
        unknown = variables - config_variables()
        self.assertEqual(unknown, set())

    def test_production_variables_are_set(self):
        variables = self.function["Environment"]["Variables"]
        self.assertEqual(variables["TIMESTREAM_DATABASE"], {"Ref": "Database"})
        self.assertEqual(variables["DEAD_LETTER_QUEUE_URL"], {"Ref": "DeadLetterQueue"})
        self.assertEqual(
            variables["CONNECT_INSTANCE_IDS"], {"Fn::Join": [",", {"Ref": "ConnectInstanceIds"}]}
        )

    def test_logs_are_json_through_logging_config(self):
        logging = self.function["LoggingConfig"]
        self.assertEqual(logging["LogFormat"], "JSON")
        self.assertEqual(logging["ApplicationLogLevel"], {"Ref": "LogLevel"})
        self.assertNotIn("AWS_LAMBDA_LOG_FORMAT", self.function["Environment"]["Variables"])

    def test_failed_async_invocations_go_to_the_dead_letter_queue(self):
        on_failure = self.function["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        self.assertEqual(on_failure["Type"], "SQS")
        self.assertEqual(on_failure["Destination"], DEAD_LETTER_QUEUE_ARN)

    def test_layer_is_precompiled_for_the_function_architecture(self):
        self.assertEqual(self.function["Architectures"], ["arm64"])
        script = LAYER_SCRIPT.read_text(encoding="utf-8")
        self.assertIn("aarch64-unknown-linux-gnu", script)


class AgentEvents(unittest.TestCase):
    def setUp(self):
        template = load_template()
        self.mapping = only(template, "AWS::Lambda::EventSourceMapping")["Properties"]

    def test_reports_batch_item_failures(self):
        self.assertEqual(self.mapping["FunctionResponseTypes"], ["ReportBatchItemFailures"])

    def test_batches_of_100_from_latest(self):
        self.assertEqual(self.mapping["BatchSize"], 100)
        self.assertEqual(self.mapping["StartingPosition"], "LATEST")
        self.assertEqual(self.mapping["EventSourceArn"], {"Ref": "AgentEventStreamArn"})

    def test_bisects_and_bounds_retries(self):
        self.assertIs(self.mapping["BisectBatchOnFunctionError"], True)
        retries = {"Ref": "KinesisMaximumRetryAttempts"}
        self.assertEqual(self.mapping["MaximumRetryAttempts"], retries)
        self.assertEqual(self.mapping["MaximumRecordAgeInSeconds"], 86400)

    def test_exhausted_batches_go_to_the_dead_letter_queue(self):
        destination = self.mapping["DestinationConfig"]["OnFailure"]["Destination"]
        self.assertEqual(destination, DEAD_LETTER_QUEUE_ARN)


class ContactEventsAndSchedule(unittest.TestCase):
    def setUp(self):
        self.template = load_template()

    def test_one_rule_per_instance_matches_its_contact_events(self):
        loop = self.template["Resources"]["Fn::ForEach::PerInstance"]
        self.assertEqual(loop[1], {"Ref": "ConnectInstanceIds"})
        rule = only(self.template, "AWS::Events::Rule")["Properties"]
        pattern = rule["EventPattern"]
        self.assertEqual(pattern["source"], ["aws.connect"])
        self.assertEqual(pattern["detail-type"], ["Amazon Connect Contact Event"])
        arn = pattern["detail"]["instanceArn"][0]["Fn::Sub"]
        self.assertTrue(arn.endswith(":instance/${InstanceId}"), arn)

    def test_rule_targets_the_function_with_retries_and_dead_letters(self):
        target = only(self.template, "AWS::Events::Rule")["Properties"]["Targets"][0]
        self.assertEqual(target["Arn"], {"Fn::GetAtt": ["Function", "Arn"]})
        self.assertEqual(target["RetryPolicy"]["MaximumRetryAttempts"], 185)
        self.assertEqual(target["DeadLetterConfig"]["Arn"], DEAD_LETTER_QUEUE_ARN)

    def test_rule_may_invoke_the_function(self):
        permission = only(self.template, "AWS::Lambda::Permission")["Properties"]
        self.assertEqual(permission["Principal"], "events.amazonaws.com")
        rule_id = next(iter(of_type(self.template, "AWS::Events::Rule")))
        self.assertEqual(permission["SourceArn"]["Fn::GetAtt"], [{"Fn::Sub": rule_id}, "Arn"])

    def test_schedule_invokes_with_an_empty_object(self):
        schedule = only(self.template, "AWS::Scheduler::Schedule")["Properties"]
        self.assertEqual(schedule["ScheduleExpression"], {"Ref": "ScheduleRate"})
        self.assertEqual(schedule["FlexibleTimeWindow"]["Mode"], "OFF")
        target = schedule["Target"]
        self.assertEqual(target["Input"], "{}")
        self.assertEqual(target["Arn"], {"Fn::GetAtt": ["Function", "Arn"]})
        self.assertEqual(target["DeadLetterConfig"]["Arn"], DEAD_LETTER_QUEUE_ARN)

    def test_scheduler_role_may_only_invoke_and_dead_letter(self):
        statements = role_statements(self.template, "SchedulerRole")
        self.assertEqual(
            actions_of(statements),
            {"lambda:InvokeFunction", "sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"},
        )


class DeadLettersAndKey(unittest.TestCase):
    def setUp(self):
        self.template = load_template()

    def test_queue_is_encrypted_and_keeps_messages_14_days(self):
        queue = resources(self.template)["DeadLetterQueue"]["Properties"]
        self.assertEqual(queue["KmsMasterKeyId"], {"Ref": "DataKey"})
        self.assertEqual(queue["MessageRetentionPeriod"], 14 * 24 * 3600)

    def test_key_lets_timestream_and_sqs_use_it(self):
        key = resources(self.template)["DataKey"]["Properties"]
        services = set()
        for statement in key["KeyPolicy"]["Statement"]:
            via = statement.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService")
            if via:
                services.add(via["Fn::Sub"].split(".")[0])
        self.assertEqual(services, {"timestream", "sqs"})
        self.assertIs(key["EnableKeyRotation"], True)

    def test_alarm_watches_the_queue_depth(self):
        alarms = of_type(self.template, "AWS::CloudWatch::Alarm")
        alarm = alarms["DeadLetterQueueAlarm"]["Properties"]
        self.assertEqual(alarm["Namespace"], "AWS/SQS")
        self.assertEqual(alarm["MetricName"], "ApproximateNumberOfMessagesVisible")
        self.assertEqual(
            alarm["Dimensions"],
            [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}}],
        )
        self.assertEqual(alarm["ComparisonOperator"], "GreaterThanThreshold")
        self.assertEqual(alarm["Threshold"], 0)


class FunctionPermissions(unittest.TestCase):
    def setUp(self):
        self.template = load_template()
        self.statements = role_statements(self.template, "FunctionRole")

    def statements_for(self, action):
        return [s for s in self.statements if action in as_list(s["Action"])]

    def test_endpoint_discovery_is_allowed_everywhere(self):
        [statement] = self.statements_for("timestream:DescribeEndpoints")
        self.assertEqual(statement["Resource"], "*")

    def test_writes_are_allowed_on_the_six_tables_only(self):
        [statement] = self.statements_for("timestream:WriteRecords")
        tables = of_type(self.template, "AWS::Timestream::Table")
        expected = [{"Fn::GetAtt": [table_id, "Arn"]} for table_id in tables]
        self.assertEqual(statement["Resource"], expected)

    def test_nothing_else_has_a_wildcard(self):
        for statement in self.statements:
            for action in as_list(statement["Action"]):
                self.assertFalse(action.endswith("*"), action)
                if action != "timestream:DescribeEndpoints":
                    self.assertNotEqual(statement["Resource"], "*", action)

    def test_dead_letters_can_be_sent_and_encrypted(self):
        [send] = self.statements_for("sqs:SendMessage")
        self.assertEqual(send["Resource"], DEAD_LETTER_QUEUE_ARN)
        [key] = self.statements_for("kms:GenerateDataKey")
        self.assertEqual(set(key["Action"]), {"kms:GenerateDataKey", "kms:Decrypt"})
        self.assertEqual(key["Resource"], {"Fn::GetAtt": ["DataKey", "Arn"]})

    def test_stream_can_be_read(self):
        [statement] = self.statements_for("kinesis:GetRecords")
        self.assertEqual(statement["Resource"], {"Ref": "AgentEventStreamArn"})
        reads = {"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"}
        self.assertTrue(reads <= set(statement["Action"]))

    def test_every_connect_call_of_the_collector_is_allowed(self):
        allowed = {a for a in actions_of(self.statements) if a.startswith("connect:")}
        self.assertEqual(allowed, collector_operations())

    def test_connect_calls_are_scoped_to_the_instances(self):
        [statement] = self.statements_for("connect:DescribeInstance")
        instance = "arn:${AWS::Partition}:connect:${AWS::Region}:${AWS::AccountId}:instance"
        arns = [r["Fn::Sub"] for r in statement["Resource"]]
        self.assertEqual(arns, [f"{instance}/${{InstanceId}}", f"{instance}/${{InstanceId}}/*"])


class OperationsDocument(unittest.TestCase):
    def setUp(self):
        self.text = OPERATIONS_MD.read_text(encoding="utf-8")

    def test_every_configuration_variable_is_documented(self):
        missing = sorted(n for n in config_variables() if f"`{n}`" not in self.text)
        self.assertEqual(missing, [])

    def test_every_metric_is_documented(self):
        missing = [n for n in metric_names() if f"`{n}`" not in self.text]
        self.assertEqual(missing, [])


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"infra: {result.testsRun - failed} passed, {failed} failed")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
