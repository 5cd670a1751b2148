namespace Callscope.Core.Diagnosis.Detectors;

/// <summary>One kind of problem, found in a participant's events in (timestamp, id) order without duplicates.</summary>
internal interface IDetector
{
    IEnumerable<DiagnosedIssue> Detect(IReadOnlyList<DiagnosisEvent> events, DiagnosisThresholds thresholds);
}
